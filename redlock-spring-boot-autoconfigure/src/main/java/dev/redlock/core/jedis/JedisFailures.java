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
		return new NodeFailure(kind(ex), NodeFailure.describe(ex), ex);
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
	 * Whether the node refused the user name or password (rather than a command).
	 * @param denied the access-control failure
	 * @return {@code true} for a refused login
	 */
	static boolean isAuth(JedisAccessControlException denied) {
		String message = String.valueOf(denied.getMessage());
		return message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("invalid password")
				|| message.contains("invalid username-password");
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
