-- The delivery worker's claim leaves out integrations that have as many attempts awaiting an answer as they may
-- (delivery/DeliveryWorker). With the integration in the index, the due deliveries of a receiver that hangs, which
-- pile up while it does, are passed over in the index instead of each row being read.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at, integration_id);
