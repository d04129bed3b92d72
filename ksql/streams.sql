-- ksqlDB twin of the Go analytics-service: the seed's aggregation of order
-- count and amount per country, written to its own topic so that its results
-- can be compared side by side with `order-analytics`.
--
-- Submitted by scripts/submit-ksql.sh (the ksql-init container of the `full`
-- Compose profile does it on start). In the ksql CLI, run
--   SET 'auto.offset.reset' = 'earliest';
-- first to aggregate the orders already in the topic.
--
-- ORDERS_STREAM's columns are inferred from the Schema Registry subject
-- `orders-value` (orders.v1.Order in the Confluent protobuf wire format),
-- which order-producer registers when it writes its first order.

CREATE STREAM IF NOT EXISTS ORDERS_STREAM WITH (
  KAFKA_TOPIC = 'orders',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'PROTOBUF',
  VALUE_SCHEMA_FULL_NAME = 'orders.v1.Order'
);

-- Keyed by country like `order-analytics`. The Go service also keeps count
-- and sum per currency; this is the seed's all-currencies view: ORDER_COUNT
-- equals CountryStats.order_count, TOTAL_AMOUNT_MINOR the sum of
-- CountryStats.totals[].amount_minor (meaningful when a country's orders
-- share one currency, as the synthetic generator's do).
CREATE TABLE IF NOT EXISTS ORDERS_BY_COUNTRY WITH (
  KAFKA_TOPIC = 'ksql.order-analytics',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'PROTOBUF',
  PARTITIONS = 3,
  REPLICAS = 1
) AS
  SELECT COUNTRY,
         COUNT(*) AS ORDER_COUNT,
         SUM(AMOUNT_MINOR) AS TOTAL_AMOUNT_MINOR
  FROM ORDERS_STREAM
  GROUP BY COUNTRY
  EMIT CHANGES;
