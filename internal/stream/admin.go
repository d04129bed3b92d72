package stream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// TopicSpec describes a topic a service owns.
type TopicSpec struct {
	Name string
	// Compact sets cleanup.policy=compact: the latest record per key is kept.
	Compact bool
	// Partitions overrides Config.Partitions when positive.
	Partitions int
}

// EnsureTopics creates the topics that do not exist yet, with their
// dead-letter topics when withDLQ is set. Existing topics are left as they
// are, so calling it at every start is safe.
func EnsureTopics(ctx context.Context, cfg Config, withDLQ bool, specs ...TopicSpec) error {
	conf := cfg.withExtra(cfg.base("admin"))
	admin, err := kafka.NewAdminClient(&conf)
	if err != nil {
		return fmt.Errorf("create admin client: %w", err)
	}
	defer admin.Close()
	var topics []kafka.TopicSpecification
	for _, s := range specs {
		parts := s.Partitions
		if parts <= 0 {
			parts = cfg.Partitions
		}
		ts := kafka.TopicSpecification{
			Topic: s.Name, NumPartitions: max(parts, 1), ReplicationFactor: max(cfg.ReplicationFactor, 1),
			Config: map[string]string{},
		}
		if s.Compact {
			ts.Config["cleanup.policy"] = "compact"
		}
		topics = append(topics, ts)
		if withDLQ {
			topics = append(topics, kafka.TopicSpecification{
				Topic: DeadLetterTopic(s.Name), NumPartitions: 1, ReplicationFactor: ts.ReplicationFactor,
				Config: map[string]string{"retention.ms": strconv.Itoa(14 * 24 * 3600 * 1000)},
			})
		}
	}
	results, err := createTopics(ctx, cfg, admin, topics)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	var errs []error
	for _, r := range results {
		if r.Error.Code() != kafka.ErrNoError && r.Error.Code() != kafka.ErrTopicAlreadyExists {
			errs = append(errs, fmt.Errorf("create topic %s: %w", r.Topic, r.Error))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return waitVisible(ctx, admin, topics)
}

// createTopics asks the controller to create topics, asking again while
// the call times out waiting for a controller (a cluster still starting or
// electing one), until ctx ends.
func createTopics(ctx context.Context, cfg Config, admin *kafka.AdminClient, topics []kafka.TopicSpecification) ([]kafka.TopicResult, error) {
	for {
		results, err := admin.CreateTopics(ctx, topics)
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || kerr.Code() != kafka.ErrTimedOut || ctx.Err() != nil {
			return results, err
		}
		cfg.logger().Warn("creating topics timed out, asking again", "error", err)
	}
}

// waitVisible waits until every topic shows in the cluster's metadata with
// all its partitions led. A real cluster creates topics asynchronously: a
// consumer that subscribes to a topic its metadata does not show yet gets
// no partitions of it until its next metadata refresh, minutes later.
func waitVisible(ctx context.Context, admin *kafka.AdminClient, topics []kafka.TopicSpecification) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, ts := range topics {
		for {
			md, err := admin.GetMetadata(&ts.Topic, false, 5000)
			if err == nil && led(md.Topics[ts.Topic]) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("topic %s not visible in the metadata: %w", ts.Topic, errors.Join(err, ctx.Err()))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// led reports whether a topic's metadata lists partitions, each with a leader.
func led(tm kafka.TopicMetadata) bool {
	if tm.Error.Code() != kafka.ErrNoError || len(tm.Partitions) == 0 {
		return false
	}
	for _, p := range tm.Partitions {
		if p.Leader < 0 || p.Error.Code() != kafka.ErrNoError {
			return false
		}
	}
	return true
}
