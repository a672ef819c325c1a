package dev.redlock.core.jedis;

import java.util.List;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

import dev.redlock.protocol.LockScripts;

/**
 * The production node's armed acquire scripts with a chosen latest node time, which
 * {@link JedisLockNode} takes from its last probe: for tests that check the scripts' clock
 * refusal on a real node, whose clock cannot be moved. Runs the scripts themselves, not copies.
 */
public final class ArmedScriptsForTests implements AutoCloseable {

	private final RedisClient client;

	/**
	 * Connects to a standalone server.
	 * @param host the host
	 * @param port the port
	 */
	public ArmedScriptsForTests(String host, int port) {
		this.client = RedisClient.builder().hostAndPort(new HostAndPort(host, port)).build();
	}

	/**
	 * {@code ACQUIRE_ARMED} for one key.
	 * @param marker the marker key
	 * @param key the lock key
	 * @param token the token
	 * @param ttlMillis the time to live
	 * @param latestMicros the latest node time accepted, 0 for no check
	 * @return the script's reply: -2, -3, 0 or 1
	 */
	public long acquire(String marker, String key, String token, long ttlMillis, long latestMicros) {
		return (Long) ScriptCalls.run(this.client, LockScripts.ACQUIRE_ARMED, List.of(marker, key), token,
				Long.toString(ttlMillis), Long.toString(latestMicros));
	}

	/**
	 * {@code ACQUIRE_FENCED_ARMED}.
	 * @param marker the marker key
	 * @param key the lock key
	 * @param token the token
	 * @param ttlMillis the time to live
	 * @param counterKey the fencing counter
	 * @param latestMicros the latest node time accepted, 0 for no check
	 * @return the script's reply: -2, -3, -1 or the counter
	 */
	public long acquireFenced(String marker, String key, String token, long ttlMillis, String counterKey,
			long latestMicros) {
		return (Long) ScriptCalls.run(this.client, LockScripts.ACQUIRE_FENCED_ARMED, List.of(marker, key, counterKey),
				token, Long.toString(ttlMillis), Long.toString(latestMicros));
	}

	@Override
	public void close() {
		this.client.close();
	}

}
