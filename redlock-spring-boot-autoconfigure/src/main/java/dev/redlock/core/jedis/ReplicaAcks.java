package dev.redlock.core.jedis;

import java.util.List;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import dev.redlock.core.NodeFailure;
import dev.redlock.protocol.LockReplies;
import dev.redlock.protocol.LockScripts;

/**
 * An acquisition that counts only once enough replicas have the new lock key: the keys are set and
 * {@code WAIT} runs on the same connection; a write too few replicas acknowledged is taken back and
 * reported as a failure, since a failover could lose it.
 */
final class ReplicaAcks {

	private final UnifiedJedis client;

	private final int replicas;

	private final long timeoutMillis;

	private final ReleaseAnnouncer.Releaser undo;

	ReplicaAcks(UnifiedJedis client, int replicas, long timeoutMillis, ReleaseAnnouncer.Releaser undo) {
		this.client = client;
		this.replicas = replicas;
		this.timeoutMillis = timeoutMillis;
		this.undo = undo;
	}

	boolean acquire(List<String> keys, String token, long ttlMillis) {
		Response<?> set;
		Response<Long> acknowledged;
		try (AbstractPipeline pipeline = this.client.pipelined()) {
			set = (keys.size() == 1) ? pipeline.set(keys.get(0), token, SetParams.setParams().nx().px(ttlMillis))
					: pipeline.eval(LockScripts.ACQUIRE_ALL.source(), keys, List.of(token, Long.toString(ttlMillis)));
			acknowledged = pipeline.waitReplicas(keys.get(0), this.replicas, this.timeoutMillis);
			pipeline.sync();
		}
		Object reply = set.get();
		boolean written = "OK".equals(reply) || LockReplies.isOne(reply);
		if (written && acknowledged.get() < this.replicas) {
			this.undo.release(keys, token);
			throw new NodeFailure(NodeFailure.Kind.FAILED, "only " + acknowledged.get() + " of " + this.replicas
					+ " replicas acknowledged the lock within " + this.timeoutMillis + "ms", null);
		}
		return written;
	}

}
