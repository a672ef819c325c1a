package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One independent Redis master that takes part in the quorum. Each operation is a single round
 * trip, bounded by the node timeout, and throws on I/O errors and timeouts.
 *
 * <p>The engine calls these methods from its own threads, concurrently for different keys.
 */
public interface LockNode extends AutoCloseable {

	/**
	 * The node's name for messages, logs and metrics, such as {@code 10.0.0.5:6379}. Never
	 * contains credentials.
	 * @return the name
	 */
	String name();

	/**
	 * How many calls the node can serve at once (its connections); the engine sends no new
	 * acquisition to a node that is slow and has this many calls running. The default, 0, means no
	 * limit is known.
	 * @return the number of concurrent calls, or 0
	 */
	default int maxConcurrentCalls() {
		return 0;
	}

	/**
	 * Whether lock keys must carry a hash tag ({@code {key}}) so that a lock's key and its fencing
	 * counter land in one slot, as on a Redis Cluster.
	 * @return {@code true} for cluster members
	 */
	default boolean needsHashTags() {
		return false;
	}

	/**
	 * Makes the node refuse locks until it is armed: from now on, the node grants a lock only
	 * while {@code markerKey} exists, and {@link #probe} tells whether it does
	 * ({@link NodeStatus#armed()}); the engine sets it with {@link #arm()} once the node's uptime
	 * has reached {@code armAfter}. A restart without persistence wipes the marker with the locks,
	 * so an emptied node cannot grant a lock again before the hold-out, whatever the timing of
	 * the probes. The default does nothing (the node cannot be armed).
	 * @param markerKey the marker's key
	 * @param armAfter the uptime after which the node may be armed
	 * @return {@code true} if the node supports arming
	 */
	default boolean requireArming(String markerKey, Duration armAfter) {
		return false;
	}

	/**
	 * Sets the marker of {@link #requireArming}: from now on the node grants locks. The engine
	 * arms a node once its uptime has reached the hold-out and its fencing counters have been
	 * restored from the other nodes.
	 * @throws UnsupportedOperationException if the node cannot be armed
	 */
	default void arm() {
		throw new UnsupportedOperationException(name() + " cannot be armed");
	}

	/**
	 * Reads every fencing counter whose key matches {@code pattern} (a {@code SCAN MATCH}
	 * pattern), a batch at a time, so that a node that restarted empty can get them back.
	 * @param pattern the keys to read
	 * @param batch takes each batch: counter keys and their values
	 * @return {@code true} if the node was armed until the last batch was read, so that what it
	 * gave is everything it held; {@code false} if its marker is gone (it restarted meanwhile)
	 * @throws UnsupportedOperationException if the node cannot list its keys (cluster members)
	 */
	default boolean readFencingCounters(String pattern, Consumer<Map<String, Long>> batch) {
		throw new UnsupportedOperationException(name() + " cannot list its fencing counters");
	}

	/**
	 * Raises each fencing counter to at least the given value, in one atomic step per call.
	 * @param counters counter keys and the values they must at least have
	 * @throws UnsupportedOperationException if the node does not support fencing tokens
	 */
	default void raiseFencingCounters(Map<String, Long> counters) {
		throw new UnsupportedOperationException(name() + " does not support fencing tokens");
	}

	/**
	 * Sets every key to {@code token} with a time to live, only if none of them exists, in one
	 * atomic step ({@code SET key token NX PX ttl} for one key).
	 * @param keys the lock keys, at least one
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @return {@code true} if the keys were set, {@code false} if one exists (another owner)
	 */
	boolean tryAcquire(List<String> keys, String token, long ttlMillis);

	/**
	 * Starts {@link #tryAcquire} for one key without waiting for the answer, so that one thread
	 * can send a command to every node and read the answers as they come, instead of handing
	 * each node to a thread of its own. The default cannot (then the engine calls
	 * {@link #tryAcquire} on a thread of its own).
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @return the command on its way, or {@code null} if this node cannot start it now (no idle
	 * connection, for instance)
	 */
	default Exchange startTryAcquire(String key, String token, long ttlMillis) {
		return null;
	}

	/**
	 * Starts {@link #releaseHeld} for one key without waiting for the answer, like
	 * {@link #startTryAcquire}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param channel the release channel, or {@code null} not to announce
	 * @return the command on its way, or {@code null} if this node cannot start it now
	 */
	default Exchange startReleaseHeld(String key, String token, String channel) {
		return null;
	}

	/**
	 * A command sent to a node whose answer has not been read yet. It holds a connection until
	 * {@link #finish()} has run, which must happen exactly once, on one thread at a time.
	 */
	interface Exchange {

		/**
		 * Whether the answer has begun to arrive, so that {@link #finish()} would not wait for
		 * the node.
		 * @return {@code true} if it has
		 */
		boolean isAnswered();

		/**
		 * Waits until the answer begins to arrive, without reading it.
		 * @param timeoutNanos the longest wait (implementations may round it up to a millisecond)
		 * @return {@code true} if it has, {@code false} if the time ran out first
		 */
		boolean awaitAnswer(long timeoutNanos);

		/**
		 * Reads the answer, waiting for it at most the node timeout, and gives the connection
		 * back.
		 * @return what the blocking method would have returned
		 * @throws RuntimeException what the blocking method would have thrown
		 */
		boolean finish();

	}

	/**
	 * Deletes each key whose value is {@code token}.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @return {@code true} if every key was deleted, {@code false} if one was absent or another's
	 */
	boolean release(List<String> keys, String token);

	/**
	 * Releases a lock that was held, like {@link #release}, and announces each deleted key on
	 * {@code channel} in the same atomic step, so that waiters in other processes
	 * ({@link #listenForReleases}) try again at once. The default releases without announcing.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @param channel the release channel, or {@code null} not to announce
	 * @return {@code true} if every key was deleted
	 */
	default boolean releaseHeld(List<String> keys, String token, String channel) {
		return release(keys, token);
	}

	/**
	 * Starts listening, on a connection of its own, for the keys that any client announces on
	 * {@code channel} when it releases a lock ({@link #releaseHeld}); reconnects after failures
	 * until closed.
	 * @param channel the release channel
	 * @param listener called with each released key, on the listener's own thread
	 * @return the subscription, or {@code null} if the node cannot listen (then waiters poll)
	 */
	default Subscription listenForReleases(String channel, Consumer<String> listener) {
		return null;
	}

	/** A running {@link #listenForReleases} subscription. */
	interface Subscription extends AutoCloseable {

		/**
		 * Whether the node has confirmed the subscription and the connection is up.
		 * @return {@code true} while releases are heard
		 */
		boolean isActive();

		/** Stops listening and closes the connection. */
		@Override
		void close();

	}

	/**
	 * Sets the time to live of the keys if every one of them holds {@code token}.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @param ttlMillis the new time to live in milliseconds
	 * @return {@code true} if the lease was set, {@code false} if a key is absent or another's
	 */
	boolean extend(List<String> keys, String token, long ttlMillis);

	/**
	 * Like {@link #tryAcquire}, and in the same atomic step reads the fencing counter of the
	 * lock.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @param counterKey the key of the lock's fencing counter
	 * @return the counter (0 if it does not exist) if the key was set, or {@code -1} if the key
	 * exists (another owner)
	 */
	default long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		throw new UnsupportedOperationException(name() + " does not support fencing tokens");
	}

	/**
	 * If {@code key} still holds {@code token}, raises the fencing counter to at least
	 * {@code value}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param counterKey the key of the lock's fencing counter
	 * @param value the token to record
	 * @return {@code true} if the key held the token (the counter is now at least {@code value})
	 */
	default boolean raiseFence(String key, String token, String counterKey, long value) {
		throw new UnsupportedOperationException(name() + " does not support fencing tokens");
	}

	/**
	 * Checks the node: sets and deletes a canary lock, and reads what the node tells about
	 * itself where the implementation can. The default sets and releases the canary only.
	 * @param canaryKey a key no lock uses
	 * @return the status; never throws
	 */
	default NodeStatus probe(String canaryKey) {
		long start = System.nanoTime();
		try {
			String token = Redlock.newToken();
			boolean set = tryAcquire(List.of(canaryKey), token, 10_000);
			Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
			boolean deleted = set && release(List.of(canaryKey), token);
			return new NodeStatus(name(), true, set && deleted, roundTrip, null, null, null, null,
					(set && deleted) ? "" : "the canary lock could not be set and deleted", false, null, null);
		}
		catch (RuntimeException ex) {
			return NodeStatus.unreachable(name(), FanOut.describe(ex));
		}
	}

	/**
	 * Closes the node's connections.
	 */
	@Override
	void close();

}
