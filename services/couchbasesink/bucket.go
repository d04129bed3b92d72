package couchbasesink

import (
	"context"
	"errors"
	"time"

	"github.com/couchbase/gocb/v2"
)

// BucketRAMQuotaMB is the memory quota of a bucket created by --create-bucket.
const BucketRAMQuotaMB = 100

// connectBucket creates the keyspace when asked to, then waits until the
// bucket answers KV and marks the service connected. It keeps trying until
// ctx ends. With --create-bucket, writes wait until the keyspace exists
// (s.setUp); without it they start at once and are retried until the bucket
// answers.
func (s *Service) connectBucket(ctx context.Context) error {
	cb := s.cfg.Couchbase
	if cb.CreateBucket {
		if err := s.retry(ctx, "create bucket "+cb.Bucket, s.createBucket); err != nil {
			return err
		}
		s.openBucket()
	}
	if err := s.retry(ctx, "wait for bucket "+cb.Bucket, s.waitBucket); err != nil {
		return err
	}
	if cb.CreateBucket {
		if err := s.retry(ctx, "create collection "+cb.Scope+"."+cb.Collection, s.createCollection); err != nil {
			return err
		}
		close(s.setUp)
	}
	s.Ready.Done(connected)
	s.Log.Info(connected, "bucket", cb.Bucket, "scope", cb.Scope, "collection", cb.Collection)
	return nil
}

// openBucket makes the bucket and collection handles; gocb connects to the
// bucket in the background.
func (s *Service) openBucket() {
	s.bucket = s.cluster.Bucket(s.cfg.Couchbase.Bucket)
	s.coll = s.bucket.Scope(s.cfg.Couchbase.Scope).Collection(s.cfg.Couchbase.Collection)
}

// createBucket creates the bucket unless it exists. It must run before the
// cluster opens any bucket: from then on gocb sends management requests
// over the open buckets' connections, which never come up while their
// bucket does not exist (the request then hangs until its timeout).
func (s *Service) createBucket(ctx context.Context) error {
	mgr := s.cluster.Buckets()
	_, err := mgr.GetBucket(s.cfg.Couchbase.Bucket, &gocb.GetBucketOptions{Context: ctx, Timeout: 10 * time.Second})
	if !errors.Is(err, gocb.ErrBucketNotFound) {
		return err
	}
	err = mgr.CreateBucket(gocb.CreateBucketSettings{BucketSettings: gocb.BucketSettings{
		Name: s.cfg.Couchbase.Bucket, BucketType: gocb.CouchbaseBucketType, RAMQuotaMB: BucketRAMQuotaMB,
	}}, &gocb.CreateBucketOptions{Context: ctx, Timeout: 10 * time.Second})
	if err != nil && !errors.Is(err, gocb.ErrBucketExists) {
		return err
	}
	s.Log.Info("bucket created", "bucket", s.cfg.Couchbase.Bucket, "ram_quota_mb", BucketRAMQuotaMB)
	return nil
}

// createCollection creates a non-default scope and collection unless they
// exist.
func (s *Service) createCollection(ctx context.Context) error {
	cb := s.cfg.Couchbase
	mgr := s.bucket.CollectionsV2()
	if cb.Scope != DefaultScope {
		err := mgr.CreateScope(cb.Scope, &gocb.CreateScopeOptions{Context: ctx, Timeout: 10 * time.Second})
		if err != nil && !errors.Is(err, gocb.ErrScopeExists) {
			return err
		}
	}
	if cb.Collection != DefaultCollection {
		err := mgr.CreateCollection(cb.Scope, cb.Collection, nil, &gocb.CreateCollectionOptions{Context: ctx, Timeout: 10 * time.Second})
		if err != nil && !errors.Is(err, gocb.ErrCollectionExists) {
			return err
		}
	}
	return nil
}

// waitBucket waits a while for the bucket's KV service.
func (s *Service) waitBucket(ctx context.Context) error {
	return s.bucket.WaitUntilReady(10*time.Second, &gocb.WaitUntilReadyOptions{
		ServiceTypes: []gocb.ServiceType{gocb.ServiceTypeKeyValue},
		Context:      ctx,
	})
}

// retry runs fn until it succeeds or ctx ends (returning ctx's error),
// backing off from 250ms to 5s.
func (s *Service) retry(ctx context.Context, what string, fn func(context.Context) error) error {
	wait := 250 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err() // shutting down
		}
		s.Log.Warn("couchbase not ready, will retry", "step", what, "error", err, "in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
