package dev.redlock;

import java.util.Objects;

/**
 * What one Redis node answered to one acquisition attempt.
 *
 * @param node the node, as {@code host:port} (never with credentials)
 * @param status what happened on the node
 * @param detail a human-readable explanation, such as the I/O error; empty when there is none
 */
public record NodeOutcome(String node, Status status, String detail) {

	/**
	 * Validates the fields.
	 * @param node the node
	 * @param status the status
	 * @param detail the detail
	 */
	public NodeOutcome {
		Objects.requireNonNull(node, "node");
		Objects.requireNonNull(status, "status");
		detail = (detail != null) ? detail : "";
	}

	/**
	 * The possible answers of one node.
	 */
	public enum Status {

		/** The node set the lock key for this acquisition. */
		ACQUIRED,

		/** The key exists on the node: another owner holds the lock there. */
		HELD_BY_OTHER,

		/** The node answered with an error, or could not be reached. */
		FAILED,

		/** The node did not answer within the node timeout. */
		TIMED_OUT

	}

	@Override
	public String toString() {
		return this.node + "=" + this.status + (this.detail.isEmpty() ? "" : " (" + this.detail + ")");
	}

}
