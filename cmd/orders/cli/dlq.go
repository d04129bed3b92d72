package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/gen/deadletters/v1/deadlettersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
)

// dlqOptions are the options of `orders dlq`.
type dlqOptions struct {
	url, token, output string
	tls                rpc.ClientTLS
	filter             *deadlettersv1.DeadLetterFilter
	status, since      string
	pageSize           int
	all                bool
	reason, operator   string
}

func dlqCommand() Command {
	return Command{
		Name:     "dlq",
		Synopsis: "dead letters: orders dlq list|show|replay|discard (a DeadLetterService client)",
		Setup: func(s *config.Set, env Env) Runner {
			o := &dlqOptions{filter: &deadlettersv1.DeadLetterFilter{}}
			s.String(&o.url, "dead-letter-service-url", "http://127.0.0.1:7007", "dead-letter-service's RPC endpoint")
			s.String(&o.token, "token", "", "bearer token with scope orders:admin, when the service requires tokens")
			o.tls.Register(s, "rpc", "service")
			s.String(&o.output, "output", "table", "table or json")
			s.String(&o.filter.Topic, "topic", "", "source topic whose dead letters to list, replay or discard (such as orders)")
			s.String(&o.filter.Consumer, "consumer", "", "only those of this consumer group")
			s.String(&o.filter.ErrorClass, "class", "", "only those of this error class (deserialization, validation)")
			s.String(&o.status, "status", "", "only those in this status: waiting, replayed, discarded or parked (list; replay takes waiting ones)")
			s.String(&o.since, "since", "", "only those that failed within this long (such as 2h)")
			s.Int(&o.pageSize, "page-size", 50, "dead letters per page (list)")
			s.Bool(&o.all, "all", false, "list every page, not just the first")
			s.String(&o.reason, "reason", "", "why, for the audit record (required to discard)")
			s.String(&o.operator, "operator", "", "who you are, for the audit record when the service does not require tokens (default: $USER)")
			return func(ctx context.Context) error { return runDLQ(ctx, env.Stdout, s.Args(), o) }
		},
	}
}

func runDLQ(ctx context.Context, w io.Writer, args []string, o *dlqOptions) error {
	if len(args) == 0 {
		return fmt.Errorf("want a verb: list, show <id>, replay <id>... | --topic, discard <id>... | --topic")
	}
	if o.output != "table" && o.output != "json" {
		return fmt.Errorf("--output must be table or json, not %q", o.output)
	}
	client, err := o.client()
	if err != nil {
		return err
	}
	if err := o.resolveFilter(); err != nil {
		return err
	}
	verb, ids := args[0], args[1:]
	switch verb {
	case "list":
		return dlqList(ctx, w, client, o)
	case "show":
		if len(ids) != 1 {
			return fmt.Errorf("show wants one dead letter id, got %d", len(ids))
		}
		res, err := client.GetDeadLetter(ctx, &deadlettersv1.GetDeadLetterRequest{Id: ids[0]})
		if err != nil {
			return err
		}
		return o.print(w, res, func() error { return showTable(w, res) })
	case "replay":
		req := &deadlettersv1.ReplayDeadLettersRequest{Ids: ids, Filter: o.selection(ids), Reason: o.reason, Operator: o.operator}
		res, err := client.ReplayDeadLetters(ctx, req)
		if err != nil {
			return err
		}
		return o.print(w, res, func() error { return outcomeTable(w, "replayed", res.GetReplayed(), res.GetSkipped(), res.GetMore()) })
	case "discard":
		req := &deadlettersv1.DiscardDeadLettersRequest{Ids: ids, Filter: o.selection(ids), Reason: o.reason, Operator: o.operator}
		res, err := client.DiscardDeadLetters(ctx, req)
		if err != nil {
			return err
		}
		return o.print(w, res, func() error { return outcomeTable(w, "discarded", res.GetDiscarded(), res.GetSkipped(), res.GetMore()) })
	}
	return fmt.Errorf("unknown verb %q: want list, show, replay or discard", verb)
}

// client dials the service, sending the token when there is one.
func (o *dlqOptions) client() (deadlettersv1connect.DeadLetterServiceClient, error) {
	tlsConf, err := o.tls.Config()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: tlsConf}}
	var opts []connect.ClientOption
	if o.token != "" {
		bearer := "Bearer " + strings.TrimSpace(o.token)
		opts = append(opts, connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", bearer)
				return next(ctx, req)
			}
		})))
	}
	return deadlettersv1connect.NewDeadLetterServiceClient(hc, o.url, opts...), nil
}

// resolveFilter turns --status and --since into the filter.
func (o *dlqOptions) resolveFilter() error {
	if o.status != "" {
		v, ok := deadlettersv1.DeadLetterStatus_value["DEAD_LETTER_STATUS_"+strings.ToUpper(o.status)]
		if !ok {
			return fmt.Errorf("--status %q: want waiting, replayed, discarded or parked", o.status)
		}
		o.filter.Status = deadlettersv1.DeadLetterStatus(v)
	}
	if o.since != "" {
		d, err := time.ParseDuration(o.since)
		if err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		o.filter.FailedAfter = timestamppb.New(time.Now().Add(-d))
	}
	if o.operator == "" {
		o.operator = currentUser()
	}
	return nil
}

// selection is the filter of a replay or discard by --topic, or nil when
// ids name the dead letters.
func (o *dlqOptions) selection(ids []string) *deadlettersv1.DeadLetterFilter {
	if len(ids) > 0 {
		return nil
	}
	return o.filter
}

func dlqList(ctx context.Context, w io.Writer, client deadlettersv1connect.DeadLetterServiceClient, o *dlqOptions) error {
	res := &deadlettersv1.ListDeadLettersResponse{}
	token := ""
	for {
		page, err := client.ListDeadLetters(ctx, &deadlettersv1.ListDeadLettersRequest{Filter: o.filter, PageSize: int32(o.pageSize), PageToken: token})
		if err != nil {
			return err
		}
		res.DeadLetters = append(res.DeadLetters, page.GetDeadLetters()...)
		res.NextPageToken, token = page.GetNextPageToken(), page.GetNextPageToken()
		if !o.all || token == "" {
			break
		}
	}
	return o.print(w, res, func() error { return listTable(w, res) })
}

// print writes res as JSON, or as the table.
func (o *dlqOptions) print(w io.Writer, res proto.Message, table func() error) error {
	if o.output == "table" {
		return table()
	}
	b, err := protojson.MarshalOptions{Multiline: true, UseProtoNames: true}.Marshal(res)
	if err != nil {
		return fmt.Errorf("print: %w", err)
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

func listTable(w io.Writer, res *deadlettersv1.ListDeadLettersResponse) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCONSUMER\tCLASS\tFAILED AT\tREPLAYS\tERROR")
	for _, d := range res.GetDeadLetters() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.GetId(), statusName(d.GetStatus()), d.GetConsumer(), d.GetErrorClass(),
			localTime(d.GetFailedAt()), d.GetReplayCount(), cut(d.GetErrorMessage(), 70))
	}
	if res.GetNextPageToken() != "" {
		fmt.Fprintln(tw, "… more: --all lists every page")
	}
	return tw.Flush()
}

func showTable(w io.Writer, res *deadlettersv1.GetDeadLetterResponse) error {
	d := res.GetDeadLetter()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("id", d.GetId())
	row("status", statusName(d.GetStatus()))
	if r := d.GetResolution(); r != nil {
		row("resolved", fmt.Sprintf("%s by %s at %s: %s", statusName(r.GetStatus()), r.GetBy(), localTime(r.GetAt()), r.GetReason()))
		if r.GetReplayedToTopic() != "" {
			row("replayed to", fmt.Sprintf("%s[%d]@%d", r.GetReplayedToTopic(), r.GetReplayedToPartition(), r.GetReplayedToOffset()))
		}
	}
	row("source", fmt.Sprintf("%s[%d]@%d", d.GetSource(), d.GetSourcePartition(), d.GetSourceOffset()))
	row("consumer", d.GetConsumer())
	row("class", d.GetErrorClass())
	row("error", d.GetErrorMessage())
	row("failed at", localTime(d.GetFailedAt()))
	row("replays", fmt.Sprint(d.GetReplayCount()))
	row("key", fmt.Sprintf("%q", d.GetKey()))
	if d.GetNotReplayable() != "" {
		row("not replayable", d.GetNotReplayable())
	}
	for _, h := range res.GetHeaders() {
		row("header "+h.GetKey(), h.GetValue())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if res.GetValue() != nil {
		b, err := json.MarshalIndent(res.GetValue().AsInterface(), "", "  ")
		if err != nil {
			return fmt.Errorf("show value: %w", err)
		}
		_, err = fmt.Fprintf(w, "value (%s):\n%s\n", res.GetValueType(), b)
		return err
	}
	_, err := fmt.Fprintf(w, "value does not decode: %s\nraw value (%d bytes): %q\n", res.GetDecodeError(), len(res.GetRawValue()), cut(string(res.GetRawValue()), 200))
	return err
}

func outcomeTable(w io.Writer, done string, acted, skipped []*deadlettersv1.Outcome, more bool) error {
	fmt.Fprintf(w, "%s %d, skipped %d\n", done, len(acted), len(skipped))
	if len(skipped) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SKIPPED\tSTATUS\tWHY")
		for _, s := range skipped {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.GetId(), statusName(s.GetStatus()), cut(s.GetDetail(), 100))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if more {
		fmt.Fprintln(w, "more dead letters match: run it again for the rest")
	}
	return nil
}

func statusName(st deadlettersv1.DeadLetterStatus) string {
	return strings.ToLower(strings.TrimPrefix(st.String(), "DEAD_LETTER_STATUS_"))
}

func localTime(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return "-"
	}
	return ts.AsTime().Local().Format("2006-01-02 15:04:05")
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// currentUser names the operator for the audit record.
func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}
