package dev.redlock.core;

/**
 * A node call that did not get an answer it could use, classified by what went wrong. Nodes throw
 * it (so that the engine never looks at a client library's or the socket's exception types), and
 * the engine makes its own for calls it does not send.
 */
public class NodeFailure extends RuntimeException {

	/** What went wrong. */
	public enum Kind {

		/** No connection could be made (connection refused, unknown host). */
		REFUSED,

		/** The node did not answer within the node timeout. */
		TIMED_OUT,

		/** Every pooled connection was busy for the whole node timeout. */
		POOL_EXHAUSTED,

		/** The connection broke (end of stream, reset) or another I/O error. */
		IO,

		/** The node refused the credentials or a command (ACL). */
		ACCESS_DENIED,

		/** The node answered with an error, or could not do what was asked. */
		FAILED,

		/** The node is not armed: it grants no locks until the engine arms it. */
		NOT_ARMED,

		/** Not sent: the engine holds the node out of the quorum now. */
		HELD_OUT,

		/** Not sent: the node is slow and has no free connection. */
		SATURATED

	}

	/** What went wrong. */
	private final Kind kind;

	/**
	 * Creates a failure.
	 * @param kind what went wrong
	 * @param message what happened, for messages and logs (never a secret)
	 * @param cause the underlying exception, or {@code null}
	 */
	public NodeFailure(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	/**
	 * What went wrong.
	 * @return the kind
	 */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * The kind of any exception a node call ended with: a {@link NodeFailure}'s own, else
	 * {@link Kind#FAILED}.
	 * @param error the exception
	 * @return the kind
	 */
	public static Kind kindOf(Throwable error) {
		return (error instanceof NodeFailure failure) ? failure.kind() : Kind.FAILED;
	}

	/**
	 * Describes an error for a message: a failure's own message; for any other exception its
	 * type and message, and its root cause's.
	 * @param ex the error
	 * @return the description
	 */
	public static String describe(Throwable ex) {
		if (ex instanceof NodeFailure && ex.getMessage() != null) {
			return ex.getMessage();
		}
		StringBuilder text = new StringBuilder(ex.getClass().getSimpleName());
		if (ex.getMessage() != null) {
			text.append(": ").append(ex.getMessage());
		}
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		if (root != ex && root.getMessage() != null && !text.toString().contains(root.getMessage())) {
			text.append(" (").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage()).append(')');
		}
		return text.toString();
	}

	/**
	 * Whether a failure of this kind may hide a restart of the node (a broken or refused
	 * connection, a timeout, an error answer), so that the node must not count again before a
	 * probe has seen it. Calls the engine did not send, and a busy pool, say nothing of the node.
	 * @param kind the kind
	 * @return {@code true} if the node becomes suspect
	 */
	static boolean makesSuspect(Kind kind) {
		return kind != Kind.HELD_OUT && kind != Kind.SATURATED && kind != Kind.POOL_EXHAUSTED;
	}

	/**
	 * A failure made by the engine for a call it did not send; without a stack trace.
	 * @param kind {@link Kind#HELD_OUT} or {@link Kind#SATURATED}
	 * @param message why
	 * @return the failure
	 */
	static NodeFailure notSent(Kind kind, String message) {
		return new NotSent(kind, message);
	}

	private static final class NotSent extends NodeFailure {

		NotSent(Kind kind, String message) {
			super(kind, message, null);
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

}
