package dev.redlock.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;

import dev.redlock.protocol.RedisNodeAddress;

/**
 * Spring Boot's own Redis connection as the one quorum member: the {@link DataRedisConnectionDetails}
 * bean that {@code spring.data.redis.*}, a {@code @ServiceConnection} container or Docker Compose
 * supplies, read the way Spring Boot's Redis client reads it (Sentinel, else Cluster, else
 * standalone; its credentials, database and SSL bundle; TLS also for a {@code rediss://} URL).
 * <p>
 * The only class that refers to {@code spring-boot-data-redis}, which is optional: load it only
 * when that module is on the class path.
 */
final class BootRedisNodes {

	private BootRedisNodes() {
	}

	/**
	 * The member that Spring Boot's Redis connection names.
	 * @param beanFactory the bean factory
	 * @return the member, or {@code null} if the application has no Redis connection details
	 * @throws RedlockConfigurationException if the connection cannot be a Redlock member
	 */
	static QuorumMembers find(ListableBeanFactory beanFactory) {
		DataRedisConnectionDetails details = beanFactory.getBeanProvider(DataRedisConnectionDetails.class)
			.getIfAvailable();
		if (details == null) {
			return null;
		}
		DataRedisProperties properties = beanFactory.getBeanProvider(DataRedisProperties.class).getIfAvailable();
		String url = (properties != null) ? properties.getUrl() : null;
		SslBundle bundle = sslBundle(details);
		boolean tls = bundle != null || (url != null && url.trim().toLowerCase(Locale.ROOT).startsWith("rediss:"));
		RedisNodeAddress address = address(details, text(details.getUsername()), text(details.getPassword()), tls);
		return new QuorumMembers(List.of(address), QuorumMembers.Origin.BOOT_REDIS,
				(bundle != null) ? SslBundleSockets.of(bundle) : null);
	}

	private static RedisNodeAddress address(DataRedisConnectionDetails details, String user, String password,
			boolean tls) {
		DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
		if (sentinel != null) {
			if (text(sentinel.getUsername()) != null || text(sentinel.getPassword()) != null) {
				throw new RedlockConfigurationException("spring.data.redis.sentinel.password",
						"Spring Boot's Redis connection logs in to its Sentinels, which Redlock's node client does not "
								+ "do (it reaches Sentinels without credentials)",
						"Set redlock.nodes to the Redis masters that Redlock should lock on, or define a "
								+ "RedlockConnectionDetails bean.",
						null);
			}
			List<String> seeds = seeds("spring.data.redis.sentinel.nodes", sentinel.getNodes());
			String master;
			try {
				master = sentinel.getMaster();
			}
			catch (IllegalStateException ex) {
				master = null;
			}
			if (text(master) == null) {
				throw new RedlockConfigurationException("spring.data.redis.sentinel.master", "is not set",
						"Name the master that the Sentinels monitor.", null);
			}
			DataRedisConnectionDetails.Node first = sentinel.getNodes().get(0);
			return new RedisNodeAddress(bare(first.host()), first.port(), user, password, sentinel.getDatabase(), tls,
					RedisNodeAddress.Kind.SENTINEL, seeds, master.trim());
		}
		DataRedisConnectionDetails.Cluster cluster = details.getCluster();
		if (cluster != null) {
			List<String> seeds = seeds("spring.data.redis.cluster.nodes", cluster.getNodes());
			DataRedisConnectionDetails.Node first = cluster.getNodes().get(0);
			return new RedisNodeAddress(bare(first.host()), first.port(), user, password, 0, tls,
					RedisNodeAddress.Kind.CLUSTER, seeds, null);
		}
		if (details.getMasterReplica() != null) {
			throw new RedlockConfigurationException("spring.data.redis.masterreplica.nodes",
					"a static master/replica group cannot be a Redlock node: Redlock locks on masters only, and cannot "
							+ "tell which listed node is the master",
					"Set redlock.nodes to the master (redis://host:port), or to independent masters.", null);
		}
		DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
		return new RedisNodeAddress(standalone.getHost(), standalone.getPort(), user, password,
				standalone.getDatabase(), tls);
	}

	private static List<String> seeds(String property, List<DataRedisConnectionDetails.Node> nodes) {
		if (nodes == null || nodes.isEmpty()) {
			throw new RedlockConfigurationException(property, "lists no node",
					"List the nodes as host:port, separated by commas.", null);
		}
		List<String> seeds = new ArrayList<>(nodes.size());
		for (DataRedisConnectionDetails.Node node : nodes) {
			String host = bare(node.host());
			seeds.add((host.contains(":") ? "[" + host + "]" : host) + ":" + node.port());
		}
		return seeds;
	}

	private static SslBundle sslBundle(DataRedisConnectionDetails details) {
		try {
			return details.getSslBundle();
		}
		catch (NoSuchSslBundleException | IllegalArgumentException | IllegalStateException ex) {
			throw new RedlockConfigurationException("spring.data.redis.ssl.bundle",
					"the SSL bundle of Spring Boot's Redis connection cannot be loaded: " + ex.getMessage(),
					"Define the bundle under spring.ssl.bundle.*, or fix spring.data.redis.ssl.bundle.", ex);
		}
	}

	private static String bare(String host) {
		return (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
	}

	private static String text(String value) {
		return (value != null && !value.isEmpty()) ? value : null;
	}

}
