package dev.redlock.core;

import java.util.List;
import java.util.function.Consumer;

/**
 * A node capability ({@link LockNode#capability}): releases announced on a Pub/Sub channel, so that
 * waiters in other processes try again at once instead of after their retry delay.
 */
public interface AnnouncingNode {

	/**
	 * Releases a lock that was held, like {@link LockNode#release}, and announces each deleted key
	 * on {@code channel} in the same atomic step.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @param channel the release channel
	 * @return {@code true} if every key was deleted
	 */
	boolean releaseHeld(List<String> keys, String token, String channel);

	/**
	 * Starts listening, on a connection of its own, for the keys that any client announces on
	 * {@code channel}; reconnects after failures until closed.
	 * @param channel the release channel
	 * @param listener called with each released key, on the listener's own thread
	 * @return the subscription
	 */
	Subscription listenForReleases(String channel, Consumer<String> listener);

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

}
