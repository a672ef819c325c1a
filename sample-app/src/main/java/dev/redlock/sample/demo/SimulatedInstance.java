package dev.redlock.sample.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.redlock.LockTemplate;
import dev.redlock.core.LockNode;
import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * One simulated instance of the application: its own Redlock engine with its own connection
 * pool to every node, as a separate JVM would have.
 */
final class SimulatedInstance implements AutoCloseable {

	private final String name;

	private final Redlock redlock;

	private final LockTemplate lockTemplate;

	private SimulatedInstance(String name, Redlock redlock) {
		this.name = name;
		this.redlock = redlock;
		this.lockTemplate = new LockTemplate(redlock);
	}

	/**
	 * Connects an instance to the nodes.
	 * @param name the instance's name, such as {@code instance-1}
	 * @param uris the node URIs
	 * @param settings the engine settings
	 * @param maxConnections the pool size per node
	 * @param holdOut the restart guard's hold-out, as the application's own engine has it, or
	 * {@code null} for no guard
	 * @param checkInterval how often the guard probes the nodes
	 * @return the instance
	 */
	static SimulatedInstance connect(String name, List<String> uris, RedlockSettings settings, int maxConnections,
			Duration holdOut, Duration checkInterval) {
		List<LockNode> nodes = new ArrayList<>(uris.size());
		for (int i = 0; i < uris.size(); i++) {
			RedisNodeAddress address = RedisNodeAddress.parse("redlock.nodes[" + i + "]", uris.get(i));
			nodes.add(new JedisLockNode(address, settings.nodeTimeout(), maxConnections));
		}
		Redlock.Builder engine = Redlock.builder(nodes, settings);
		if (holdOut != null) {
			engine.restartGuard(holdOut, checkInterval);
		}
		return new SimulatedInstance(name, engine.build());
	}

	String name() {
		return this.name;
	}

	LockTemplate lockTemplate() {
		return this.lockTemplate;
	}

	Duration leaseTime() {
		return this.redlock.settings().leaseTime();
	}

	int quorum() {
		return this.redlock.quorum();
	}

	int nodeCount() {
		return this.redlock.nodes().size();
	}

	/**
	 * Probes every node.
	 * @return how many nodes can take part in a lock now: up, and not held out by the restart guard
	 */
	int nodesUsable() {
		return (int) this.redlock.probe().stream().filter((status) -> status.lockable() && status.problem().isEmpty())
			.count();
	}

	@Override
	public void close() {
		this.redlock.close();
	}

}
