package dev.redlock.autoconfigure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.ClassUtils;

import dev.redlock.core.InvalidSettingException;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * Finds the members of the lock quorum. First match wins: a {@link RedlockConnectionDetails}
 * bean, then {@code redlock.nodes}, then Spring Boot's Redis connection (when
 * {@code spring-boot-data-redis} is on the class path) as the one and only member.
 */
final class NodeSource {

	private static final Logger logger = LoggerFactory.getLogger(NodeSource.class);

	/** Spring Boot's Redis connection details, a class of the optional spring-boot-data-redis. */
	static final String BOOT_REDIS_DETAILS = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

	private NodeSource() {
	}

	/**
	 * The quorum members.
	 * @param properties the properties
	 * @param details the application's connection details bean, or {@code null}
	 * @param beanFactory where to look for Spring Boot's Redis connection
	 * @param sslBundles the SSL bundles, or {@code null}
	 * @return the members
	 * @throws RedlockConfigurationException if no source names a member, or a member is invalid
	 */
	static QuorumMembers resolve(RedlockProperties properties, RedlockConnectionDetails details,
			ListableBeanFactory beanFactory, SslBundles sslBundles) {
		QuorumMembers members = find(properties, details, beanFactory, sslBundles);
		if (members.addresses().size() == 1) {
			warnOfOneNode(members);
		}
		return members;
	}

	private static QuorumMembers find(RedlockProperties properties, RedlockConnectionDetails details,
			ListableBeanFactory beanFactory, SslBundles sslBundles) {
		List<String> configured = (properties.getNodes() != null) ? NodeUriFragments.rejoin(properties.getNodes())
				: List.of();
		if (details != null) {
			if (!configured.isEmpty()) {
				logger.info("A RedlockConnectionDetails bean supplies the Redlock nodes; redlock.nodes ({} entries) "
						+ "is not used", configured.size());
			}
			List<String> uris = details.getNodes();
			if (uris == null || uris.isEmpty()) {
				throw new RedlockConfigurationException(QuorumMembers.Origin.CONNECTION_DETAILS.source(),
						"the RedlockConnectionDetails bean supplies no node",
						"Return the independent Redis masters from getNodes(), or remove the bean to use redlock.nodes.",
						null);
			}
			return new QuorumMembers(parse(QuorumMembers.Origin.CONNECTION_DETAILS, uris),
					QuorumMembers.Origin.CONNECTION_DETAILS, (details.getSslBundle() != null)
							? SslBundleSockets.of(details.getSslBundle()) : redlockBundle(properties, sslBundles));
		}
		if (!configured.isEmpty()) {
			return new QuorumMembers(parse(QuorumMembers.Origin.PROPERTY, configured), QuorumMembers.Origin.PROPERTY,
					redlockBundle(properties, sslBundles));
		}
		if (bootRedisPresent(beanFactory)) {
			QuorumMembers boot = BootRedisNodes.find(beanFactory);
			if (boot != null) {
				return boot;
			}
		}
		throw new RedlockConfigurationException("redlock.nodes", "no Redis node is configured",
				"List the independent Redis masters, e.g. redlock.nodes=redis://10.0.0.1:6379,"
						+ "redis://10.0.0.2:6379,redis://10.0.0.3:6379 (an odd number; 3 or 5 is usual), "
						+ "define a RedlockConnectionDetails bean, add spring-boot-data-redis to lock on Spring Boot's "
						+ "Redis connection (spring.data.redis.*) as a single node, or set redlock.enabled=false.",
				null);
	}

	/**
	 * One warning for a quorum of one, wherever it was configured: {@code redlock.nodes} with one
	 * entry, a {@link RedlockConnectionDetails} bean with one node, or Spring Boot's connection.
	 */
	private static void warnOfOneNode(QuorumMembers members) {
		String node = members.addresses().get(0).name();
		String lead = switch (members.origin()) {
			case BOOT_REDIS -> "redlock.nodes is not set: Redlock uses Spring Boot's Redis connection (" + node
					+ ") as its only node.";
			case PROPERTY -> "redlock.nodes lists one node (" + node + "): Redlock locks on it alone.";
			case CONNECTION_DETAILS -> "Your RedlockConnectionDetails bean supplies one node (" + node
					+ "): Redlock locks on it alone.";
		};
		String fix = (members.origin() == QuorumMembers.Origin.CONNECTION_DETAILS)
				? "return 3 or 5 independent Redis masters from RedlockConnectionDetails.getNodes()"
				: "set redlock.nodes to 3 or 5 independent Redis masters";
		logger.warn("{} One node gives an efficiency lock (it saves duplicate work while that node is up), not "
				+ "fault tolerance: if the node fails over, restarts empty or is lost, two holders can hold the same "
				+ "lock. For locks that survive a node failure, {}.", lead, fix);
	}

	private static boolean bootRedisPresent(ListableBeanFactory beanFactory) {
		if (beanFactory == null) {
			return false;
		}
		ClassLoader classLoader = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : NodeSource.class.getClassLoader();
		return ClassUtils.isPresent(BOOT_REDIS_DETAILS, classLoader);
	}

	private static SSLSocketFactory redlockBundle(RedlockProperties properties, SslBundles sslBundles) {
		return SslBundleSockets.named("redlock.ssl.bundle", properties.getSsl().getBundle(), sslBundles);
	}

	private static String fix(QuorumMembers.Origin origin, String member, List<String> uris) {
		if (origin != QuorumMembers.Origin.PROPERTY) {
			return "Fix " + member + " in your RedlockConnectionDetails bean.";
		}
		if (uris.stream().anyMatch(NodeUriFragments::isFragment)) {
			return "redlock.nodes has an entry without a scheme (" + uris.stream()
				.filter(NodeUriFragments::isFragment)
				.map(RedisNodeAddress::redact)
				.findFirst()
				.orElseThrow() + "): a comma-separated redlock.nodes is split at every comma, also at one inside a "
					+ "URI (in its password, say). Write one node per index instead, e.g. "
					+ "redlock.nodes[0]=redis://:pass,word@10.0.0.1:6379 and redlock.nodes[1]=redis://10.0.0.2:6379 "
					+ "in application.properties, or a YAML list (- redis://...). Otherwise fix " + member + ".";
		}
		return "Fix " + member + " in your configuration (application.yml or application.properties).";
	}

	/**
	 * Parses node URIs, refusing one that names a node listed before.
	 */
	static List<RedisNodeAddress> parse(QuorumMembers.Origin origin, List<String> uris) {
		List<RedisNodeAddress> addresses = new ArrayList<>(uris.size());
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < uris.size(); i++) {
			String member = origin.member(i);
			RedisNodeAddress address;
			try {
				address = RedisNodeAddress.parse(member, uris.get(i));
			}
			catch (InvalidSettingException ex) {
				throw new RedlockConfigurationException(member, "value '" + ex.getValue() + "' " + ex.getRequirement(),
						fix(origin, member, uris), ex);
			}
			Integer previous = seen.putIfAbsent(address.endpoint(), i);
			if (previous != null) {
				throw new RedlockConfigurationException(member,
						"node " + address.name() + " is already listed as " + origin.member(previous),
						"List each Redis master once: a node counted twice breaks the quorum's safety.", null);
			}
			addresses.add(address);
		}
		return addresses;
	}

}
