package dev.redlock.autoconfigure;

import java.util.Arrays;
import java.util.List;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * The Redis masters of the lock quorum, supplied by a bean rather than by properties, in the
 * manner of Spring Boot's other {@link ConnectionDetails}: tests and platform code can hand the
 * starter several nodes programmatically.
 * <p>
 * Where the nodes come from, first match wins:
 * <ol>
 * <li>a {@code RedlockConnectionDetails} bean;</li>
 * <li>the {@code redlock.nodes} property;</li>
 * <li>Spring Boot's own Redis connection ({@code spring-boot-data-redis} on the class path:
 * {@code spring.data.redis.*}, a {@code @ServiceConnection} Redis container or a Docker Compose
 * Redis service), as the one and only node.</li>
 * </ol>
 * With none of them, startup fails naming {@code redlock.nodes}.
 */
@FunctionalInterface
public interface RedlockConnectionDetails extends ConnectionDetails {

	/**
	 * The independent Redis masters that form the quorum, in the syntax of {@code redlock.nodes}:
	 * {@code redis://[[user]:password@]host[:port][/database]}, {@code rediss://…} (TLS),
	 * {@code redis-sentinel://host:port[,host:port…]/masterName} or
	 * {@code redis-cluster://host:port[,host:port…]}. Use an odd number, such as 3 or 5.
	 * @return the node URIs, at least one
	 */
	List<String> getNodes();

	/**
	 * The SSL bundle that verifies the certificates of {@code rediss://} nodes.
	 * @return the bundle, or {@code null} to use {@code redlock.ssl.bundle} (or, without it, the
	 * JVM's default trust store)
	 */
	default SslBundle getSslBundle() {
		return null;
	}

	/**
	 * Connection details that name these nodes.
	 * @param nodes the node URIs
	 * @return the connection details
	 * @throws IllegalArgumentException if an entry is {@code null}
	 */
	static RedlockConnectionDetails of(String... nodes) {
		return of((nodes != null) ? Arrays.asList(nodes) : null);
	}

	/**
	 * Connection details that name these nodes.
	 * @param nodes the node URIs
	 * @return the connection details
	 * @throws IllegalArgumentException if the list or one of its entries is {@code null}
	 */
	static RedlockConnectionDetails of(List<String> nodes) {
		if (nodes == null) {
			throw new IllegalArgumentException("RedlockConnectionDetails.of(nodes): nodes is null");
		}
		for (int i = 0; i < nodes.size(); i++) {
			if (nodes.get(i) == null) {
				throw new IllegalArgumentException("RedlockConnectionDetails.of(nodes): nodes[" + i + "] is null");
			}
		}
		List<String> copy = List.copyOf(nodes);
		return () -> copy;
	}

}
