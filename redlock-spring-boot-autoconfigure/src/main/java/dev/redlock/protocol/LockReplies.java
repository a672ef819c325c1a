package dev.redlock.protocol;

import dev.redlock.core.NodeFailure;

/**
 * What the replies of {@link LockScripts} mean, decoded the same way by every driver.
 */
public final class LockReplies {

	/** A fenced acquisition found the key held by another owner. */
	public static final long REFUSED = -1L;

	/** The node has no arming marker: it grants no lock until the engine arms it. */
	public static final long NOT_ARMED = -2L;

	/** The node's clock is later than the latest time the engine accepts: it jumped forward. */
	public static final long CLOCK_AHEAD = -3L;

	private LockReplies() {
	}

	/**
	 * Whether a reply is the integer 1 (done).
	 * @param reply the reply, as the driver decodes an integer ({@link Long})
	 * @return whether it is 1
	 */
	public static boolean isOne(Object reply) {
		return reply instanceof Long number && number == 1L;
	}

	/**
	 * The reply of a script run on an armed node, or the failure it stands for.
	 * @param reply the reply
	 * @return the reply as a number, 0 if it is none
	 * @throws NodeFailure if the node is not armed, or its clock jumped forward
	 */
	public static long armed(Object reply) {
		if (reply instanceof Long value && value == CLOCK_AHEAD) {
			throw new NodeFailure(NodeFailure.Kind.FAILED, "the node's clock is ahead of what it was at the last probe "
					+ "plus the time passed: it jumped forward and may have expired lock keys early; it counts again once "
					+ "a probe has seen it", null);
		}
		if (reply instanceof Long value && value == NOT_ARMED) {
			throw new NodeFailure(NodeFailure.Kind.NOT_ARMED, "the node is not armed: it grants no lock until the "
					+ "engine has armed it (a fresh node at once; one that restarted empty after its restart "
					+ "guard hold-out)", null);
		}
		return (reply instanceof Long value) ? value : 0L;
	}

}
