package dev.redlock.core.jedis;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.NoSuchElementException;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import dev.redlock.core.NodeFailure;

/**
 * Turns what Jedis and the socket throw into a {@link NodeFailure} the engine understands, so
 * that no code outside this package looks at their exception types.
 */
final class JedisFailures {

	private JedisFailures() {
	}

	/**
	 * The failure a node call ended with.
	 * @param ex what the call threw
	 * @return the classified failure ({@code ex} itself if it is one)
	 */
	static NodeFailure classify(RuntimeException ex) {
		if (ex instanceof NodeFailure failure) {
			return failure;
		}
		String credentials = credentialsProblem(ex);
		return (credentials != null) ? new NodeFailure(NodeFailure.Kind.ACCESS_DENIED, credentials, ex)
				: new NodeFailure(kind(ex), NodeFailure.describe(ex), ex);
	}

	/**
	 * Runs a node call and classifies what it throws.
	 * @param <T> the result type
	 * @param call the call
	 * @return its result
	 * @throws NodeFailure if it failed
	 */
	static <T> T call(java.util.function.Supplier<T> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			throw classify(ex);
		}
	}

	private static NodeFailure.Kind kind(RuntimeException ex) {
		if (find(ex, JedisAccessControlException.class) != null) {
			return NodeFailure.Kind.ACCESS_DENIED;
		}
		if (find(ex, NoSuchElementException.class) != null) {
			// commons-pool: no idle connection within the wait
			return NodeFailure.Kind.POOL_EXHAUSTED;
		}
		if (find(ex, SocketTimeoutException.class) != null) {
			return NodeFailure.Kind.TIMED_OUT;
		}
		if (find(ex, ConnectException.class) != null || find(ex, UnknownHostException.class) != null
				|| failedToConnect(ex)) {
			return NodeFailure.Kind.REFUSED;
		}
		if (ex instanceof JedisDataException) {
			return NodeFailure.Kind.FAILED;
		}
		if (ex instanceof IllegalStateException || ex instanceof IllegalArgumentException) {
			return NodeFailure.Kind.FAILED;
		}
		return NodeFailure.Kind.IO;
	}

	static <T extends Throwable> T find(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}

	/**
	 * Whether no connection could be made: Jedis tries every address a host name resolves to and
	 * keeps each refusal as a suppressed exception, not as the cause.
	 */
	private static boolean failedToConnect(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			for (Throwable suppressed : cause.getSuppressed()) {
				if (suppressed instanceof ConnectException || suppressed instanceof UnknownHostException) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * What is wrong when the credentials the application sends do not fit the node, with the fix;
	 * one rule for every mismatch: a wrong user or password, none for a node that requires one,
	 * and one for a node that has none (Redis answers {@code AUTH} with an error then, not a
	 * refusal, and Jedis reports it as a data error of the connection).
	 * @param ex what a call or the connection's login threw
	 * @return the problem, or {@code null} if {@code ex} is no credentials mismatch
	 */
	static String credentialsProblem(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (!(cause instanceof JedisDataException)) {
				continue;
			}
			String message = String.valueOf(cause.getMessage());
			if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("invalid password")
					|| message.contains("invalid username-password")) {
				return "the node refused the user name or password (" + message + "): give this node's user and "
						+ "password in its URI";
			}
			// Redis 6 and later: "ERR AUTH <password> called without any password configured for the
			// default user"; Redis 5: "ERR Client sent AUTH, but no password is set"
			if (message.contains("without any password configured") || message.contains("no password is set")) {
				return "the node has no password set, but the application sends one (" + message + "): remove the "
						+ "password from this node's URI, or set one on the node (requirepass or an ACL user)";
			}
		}
		return null;
	}

	/**
	 * Whether a script failed because the ACL user may not run one of its commands or reach one of
	 * its channels (Redis 6.2 answers {@code NOPERM ...}, Redis 7 {@code ERR The user executing the
	 * script can't run this command ...} or {@code ... can't access ...}).
	 */
	static boolean isPermissionDenied(JedisDataException ex) {
		String message = String.valueOf(ex.getMessage());
		return message.contains("NOPERM") || message.contains("no permissions")
				|| message.contains("The user executing the script can't");
	}

}
