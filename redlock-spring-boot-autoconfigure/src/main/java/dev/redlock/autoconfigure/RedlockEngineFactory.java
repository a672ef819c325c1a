package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;

import dev.redlock.core.InvalidSettingException;
import dev.redlock.core.LockNode;
import dev.redlock.core.LockObserver;
import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.core.jedis.RedisNodeAddress;

/**
 * Builds the engine from {@link RedlockProperties}, checking every property before any connection
 * is made, and reporting a bad one by its property name.
 */
final class RedlockEngineFactory {

	private static final Logger logger = LoggerFactory.getLogger(RedlockEngineFactory.class);

	private RedlockEngineFactory() {
	}

	static Redlock create(RedlockProperties properties, List<LockObserver> observers, SslBundles sslBundles) {
		RedlockSettings settings = EngineSettings.of(properties);
		List<RedisNodeAddress> addresses = addresses(properties.getNodes());
		if (properties.getMaxConnectionsPerNode() < 1) {
			throw new RedlockConfigurationException("redlock.max-connections-per-node",
					"value " + properties.getMaxConnectionsPerNode() + " is below 1",
					"Set it to at least the number of threads that lock at once, e.g. 16.", null);
		}
		if (properties.getReplicaAcks() < 0) {
			throw new RedlockConfigurationException("redlock.replica-acks",
					"value " + properties.getReplicaAcks() + " is negative", "Set it to 0 (do not wait) or more.", null);
		}
		if (addresses.size() % 2 == 0) {
			logger.warn("redlock.nodes lists {} nodes, an even number: a lock needs {} of them, so the cluster "
					+ "tolerates no more failures than with {} nodes. Use an odd number of independent masters.",
					addresses.size(), addresses.size() / 2 + 1, addresses.size() - 1);
		}
		SSLSocketFactory ssl = sslSocketFactory(properties.getSsl().getBundle(), sslBundles);
		List<LockNode> nodes = new ArrayList<>(addresses.size());
		for (RedisNodeAddress address : addresses) {
			nodes.add(new JedisLockNode(address, settings.nodeTimeout(), properties.getMaxConnectionsPerNode(), ssl,
					properties.getReplicaAcks()));
		}
		Redlock.Builder builder = Redlock.builder(nodes, settings)
			.releaseNotifications(properties.isReleaseNotifications());
		observers.forEach(builder::observer);
		RedlockProperties.RestartGuard guard = properties.getRestartGuard();
		if (guard.isEnabled()) {
			Duration holdOut = (guard.getHoldOut() != null) ? guard.getHoldOut() : settings.leaseTime();
			if (holdOut.compareTo(settings.leaseTime()) < 0) {
				nodes.forEach(LockNode::close);
				throw new RedlockConfigurationException("redlock.restart-guard.hold-out",
						"value '" + holdOut + "' is shorter than redlock.lease-time (" + settings.leaseTime() + ")",
						"Set redlock.restart-guard.hold-out to at least your longest lease time.", null);
			}
			try {
				builder.restartGuard(holdOut, guard.getCheckInterval());
			}
			catch (InvalidSettingException ex) {
				nodes.forEach(LockNode::close);
				throw new RedlockConfigurationException("redlock.restart-guard." + EngineSettings.kebab(ex.getSetting().substring("restartGuard.".length())),
						"value '" + ex.getValue() + "' " + ex.getRequirement(),
						"Fix it, or set redlock.restart-guard.enabled=false.", ex);
			}
		}
		Redlock redlock = builder.build();
		try {
			verify(redlock, guard.isEnabled());
		}
		catch (RuntimeException ex) {
			redlock.close();
			throw ex;
		}
		return redlock;
	}

	private static SSLSocketFactory sslSocketFactory(String bundle, SslBundles sslBundles) {
		if (bundle == null || bundle.isBlank()) {
			return null;
		}
		if (sslBundles == null) {
			throw new RedlockConfigurationException("redlock.ssl.bundle", "SSL bundle '" + bundle
					+ "' is set but no SslBundles bean exists", "Define the bundle under spring.ssl.bundle.*.", null);
		}
		try {
			return sslBundles.getBundle(bundle).createSslContext().getSocketFactory();
		}
		catch (NoSuchSslBundleException ex) {
			throw new RedlockConfigurationException("redlock.ssl.bundle", "there is no SSL bundle named '" + bundle + "'",
					"Define it under spring.ssl.bundle.pem." + bundle + " (or .jks." + bundle + "), or fix the name.",
					ex);
		}
	}

	/**
	 * Checks the nodes at startup: replicas and two entries that reach the same server fail the
	 * startup; unreachable nodes only warn, so that the application starts while a minority is
	 * down.
	 */
	static void verify(Redlock redlock, boolean guarded) {
		List<NodeStatus> statuses = redlock.probe();
		Map<String, Integer> runIds = new HashMap<>();
		int usable = 0;
		for (int i = 0; i < statuses.size(); i++) {
			NodeStatus status = statuses.get(i);
			if (status.isReplica()) {
				throw new RedlockConfigurationException("redlock.nodes[" + i + "]",
						"node " + status.node() + " is a replica (role " + status.role() + ")",
						"List only independent masters: a replica loses the locks it has not received yet when it is "
								+ "promoted, and shares a failure domain with its master.",
						null);
			}
			if (status.credentialsRejected()) {
				throw new RedlockConfigurationException("redlock.nodes[" + i + "]",
						"node " + status.node() + " refused the user name or password: " + status.problem(),
						"Check the credentials in redlock.nodes[" + i + "] (redis://user:password@host:port), and that "
								+ "the Redis user exists and is enabled.",
						null);
			}
			if (status.runId() != null) {
				Integer previous = runIds.putIfAbsent(status.runId(), i);
				if (previous != null) {
					throw new RedlockConfigurationException("redlock.nodes[" + i + "]",
							"node " + status.node() + " is the same Redis server as redlock.nodes[" + previous + "] ("
									+ statuses.get(previous).node() + "; both report run_id " + status.runId() + ")",
							"List each Redis master once: one server counted twice breaks the quorum's safety.", null);
				}
			}
			if (!status.reachable()) {
				logger.warn("Redlock node {} (redlock.nodes[{}]) is unreachable at startup: {}", status.node(), i,
						status.problem());
			}
			else if (!status.problem().isEmpty()) {
				logger.warn("Redlock node {} (redlock.nodes[{}]) does not count toward a quorum now: {}", status.node(),
						i, status.problem());
			}
			else {
				usable++;
			}
		}
		if (usable < redlock.quorum()) {
			logger.warn("Only {} of {} Redlock nodes can take a lock now; a lock needs {}. Acquisitions fail until "
					+ "enough nodes are back{}.", usable, statuses.size(), redlock.quorum(),
					guarded ? " (or the restart guard's hold-out has passed; see redlock.restart-guard.*)" : "");
		}
	}

	static List<RedisNodeAddress> addresses(List<String> uris) {
		if (uris == null || uris.isEmpty()) {
			throw new RedlockConfigurationException("redlock.nodes", "no Redis node is configured",
					"List the independent Redis masters, e.g. redlock.nodes=redis://10.0.0.1:6379,"
							+ "redis://10.0.0.2:6379,redis://10.0.0.3:6379 (an odd number; 3 or 5 is usual), "
							+ "or set redlock.enabled=false.",
					null);
		}
		List<RedisNodeAddress> addresses = new ArrayList<>(uris.size());
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < uris.size(); i++) {
			RedisNodeAddress address;
			try {
				address = RedisNodeAddress.parse("nodes[" + i + "]", uris.get(i));
			}
			catch (InvalidSettingException ex) {
				throw EngineSettings.translate(ex);
			}
			Integer previous = seen.putIfAbsent(address.endpoint(), i);
			if (previous != null) {
				throw new RedlockConfigurationException("redlock.nodes[" + i + "]",
						"node " + address.name() + " is already listed as redlock.nodes[" + previous + "]",
						"List each Redis master once: a node counted twice breaks the quorum's safety.", null);
			}
			addresses.add(address);
		}
		return addresses;
	}

}
