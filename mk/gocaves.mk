# gocaves: Couchbase's mock cluster, built from the Go module proxy copy for
# the Couchbase tests (internal/sandbox/caves). Included by the main Makefile.
# The script pins the version; editing it makes this target stale.
bin/gocaves: scripts/build-gocaves.sh
	bash scripts/build-gocaves.sh $@
