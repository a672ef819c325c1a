package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.core.InvalidSettingException;
import dev.redlock.core.LockNode;
import dev.redlock.core.LockObserver;
import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.protocol.LockNodeSettings;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * Builds the engine from {@link RedlockProperties} and the {@link QuorumMembers} that
 * {@link NodeSource} found, over the nodes a {@link LockNodeFactory} makes, checking every property
 * before any node is made, and reporting a bad one by its property name.
 */
final class RedlockEngineFactory {

	private static final Logger logger = LoggerFactory.getLogger(RedlockEngineFactory.class);

	private RedlockEngineFactory() {
	}

	static Redlock create(RedlockProperties properties, QuorumMembers members, LockNodeFactory nodeFactory,
			List<LockObserver> observers) {
		RedlockSettings settings = EngineSettings.of(properties);
		List<RedisNodeAddress> addresses = members.addresses();
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
			logger.warn("{} lists {} nodes, an even number: a lock needs {} of them, so the cluster "
					+ "tolerates no more failures than with {} nodes. Use an odd number of independent masters.",
					members.origin().source(), addresses.size(), addresses.size() / 2 + 1, addresses.size() - 1);
		}
		SSLSocketFactory ssl = members.sslSocketFactory();
		List<LockNode> nodes = new ArrayList<>(addresses.size());
		try {
			for (RedisNodeAddress address : addresses) {
				LockNode node = nodeFactory.create(new LockNodeSettings(address, settings.nodeTimeout(),
						properties.getMaxConnectionsPerNode(), ssl, properties.getReplicaAcks(),
						properties.isCallerReadsAnswers()));
				if (node == null) {
					throw new IllegalStateException(nodeFactory + " made no node for " + address);
				}
				nodes.add(node);
			}
		}
		catch (RuntimeException ex) {
			nodes.forEach(LockNode::close);
			throw ex;
		}
		Redlock.Builder builder = Redlock.builder(nodes, settings)
			.releaseNotifications(properties.isReleaseNotifications())
			.allowEvictingNodes(properties.isAllowEvictingNodes());
		observers.forEach(builder::observer);
		RedlockProperties.RestartGuard guard = properties.getRestartGuard();
		if (guard.isEnabled()) {
			Duration holdOut = (guard.getHoldOut() != null) ? guard.getHoldOut() : settings.leaseTime();
			// no node is told a TTL above the hold-out (longer leases are renewed): it must leave room for a round
			if (holdOut.compareTo(settings.nodeTimeout()) <= 0) {
				nodes.forEach(LockNode::close);
				throw new RedlockConfigurationException("redlock.restart-guard.hold-out",
						"value '" + holdOut + "' is not longer than redlock.node-timeout (" + settings.nodeTimeout()
								+ "): no lock TTL, which is at most the hold-out, could be granted in time",
						"Set redlock.restart-guard.hold-out well above the node timeout, e.g. 30s.", null);
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
			verify(redlock, members.origin(), properties.isAllowEvictingNodes());
		}
		catch (RuntimeException ex) {
			redlock.close();
			throw ex;
		}
		return redlock;
	}

	/**
	 * Checks the nodes at startup: replicas, credentials that do not fit a node (wrong, missing,
	 * or a password for a node that has none), two entries that reach the same server and (unless
	 * allowed) nodes that may evict keys fail the startup; unreachable nodes only warn, so that the
	 * application starts while a minority is down.
	 */
	static void verify(Redlock redlock, QuorumMembers.Origin origin, boolean allowEvictingNodes) {
		List<NodeStatus> statuses = redlock.probe();
		Map<String, Integer> runIds = new HashMap<>();
		for (int i = 0; i < statuses.size(); i++) {
			NodeStatus status = statuses.get(i);
			if (status.isReplica()) {
				throw new RedlockConfigurationException(origin.member(i),
						"node " + status.node() + " is a replica (role " + status.role() + ")",
						"List only independent masters: a replica loses the locks it has not received yet when it is "
								+ "promoted, and shares a failure domain with its master.",
						null);
			}
			if (status.mayEvict() && !allowEvictingNodes) {
				throw new RedlockConfigurationException(origin.member(i),
						"node " + status.node() + " may evict lock keys: maxmemory " + status.maxmemory()
								+ " bytes with maxmemory-policy " + status.maxmemoryPolicy(),
						"Under memory pressure it may drop a held lock or a fencing counter, and another owner gets "
								+ "the lock. Point locks at Redis masters that do not evict: set maxmemory-policy "
								+ "noeviction on that node (CONFIG SET maxmemory-policy noeviction, and in redis.conf), "
								+ "or remove its maxmemory limit. To accept the risk, set "
								+ "redlock.allow-evicting-nodes=true.",
						null);
			}
			if (status.credentialsRejected()) {
				// one rule for every mismatch (wrong, missing, or sent to a node without one): a
				// configuration error, so the startup stops here rather than lock without the node
				throw new RedlockConfigurationException(origin.member(i),
						"node " + status.node() + ": the credentials do not fit it; " + status.problem(),
						"Make the credentials in " + origin.credentials(i) + " fit the node: the user and password it "
								+ "requires (requirepass, or an ACL user that exists and is enabled), or no password at "
								+ "all if the node has none.",
						null);
			}
			if (status.runId() != null) {
				Integer previous = runIds.putIfAbsent(status.runId(), i);
				if (previous != null) {
					throw new RedlockConfigurationException(origin.member(i),
							"node " + status.node() + " is the same Redis server as " + origin.member(previous) + " ("
									+ statuses.get(previous).node() + "; both report run_id " + status.runId() + ")",
							"List each Redis master once: one server counted twice breaks the quorum's safety.", null);
				}
			}
			if (!status.reachable()) {
				logger.warn("Redlock node {} ({}) is unreachable at startup: {}", status.node(), origin.member(i),
						status.problem());
			}
			else if (!status.problem().isEmpty()) {
				logger.warn("Redlock node {} ({}) does not count toward a quorum now: {}", status.node(),
						origin.member(i), status.problem());
			}
		}
		// fewer than a quorum usable: the engine itself logs it as an error, once
	}

}
