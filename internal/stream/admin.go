package stream

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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
	results, err := admin.CreateTopics(ctx, topics)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	var errs []error
	for _, r := range results {
		if r.Error.Code() != kafka.ErrNoError && r.Error.Code() != kafka.ErrTopicAlreadyExists {
			errs = append(errs, fmt.Errorf("create topic %s: %w", r.Topic, r.Error))
		}
	}
	return errors.Join(errs...)
}
