package dev.redlock.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one probe round knows of the armable nodes: which are armed, unarmed and reachable, and
 * what their registries of armed incarnations say ({@link Arming}).
 */
final class ArmingRound {

	private static final Logger logger = LoggerFactory.getLogger(ArmingRound.class);

	final List<NodeStatus> statuses;

	final List<Integer> unarmed = new ArrayList<>();

	/** Armed nodes that can take a lock: where counters and registries are restored from. */
	final List<Integer> sources = new ArrayList<>();

	private final List<LockNode> nodes;

	private final ArmableNode[] armable;

	private final int members;

	private final int quorum;

	private final boolean seenAnyArmed;

	private final List<Integer> reachable = new ArrayList<>();

	private final Set<String> currentRunIds = new HashSet<>();

	private final Set<String> reachableNames = new HashSet<>();

	/** Names of configured nodes armed now, and their run ids. */
	private final Map<String, String> armedNow = new HashMap<>();

	/** Per reachable node that answered, its registry. */
	private final Map<Integer, Map<String, String>> registries = new HashMap<>();

	private final Set<String> recordedRunIds = new HashSet<>();

	ArmingRound(List<NodeStatus> statuses, List<LockNode> nodes, ArmableNode[] armable, boolean seenAnyArmed) {
		this.statuses = statuses;
		this.nodes = nodes;
		this.armable = armable;
		this.seenAnyArmed = seenAnyArmed;
		int count = 0;
		for (int i = 0; i < statuses.size(); i++) {
			if (armable[i] == null) {
				continue;
			}
			count++;
			NodeStatus status = statuses.get(i);
			if (!status.reachable() || status.runId() == null) {
				continue;
			}
			this.reachable.add(i);
			this.currentRunIds.add(status.runId());
			this.reachableNames.add(nodes.get(i).name());
			if (Boolean.TRUE.equals(status.armed())) {
				this.armedNow.put(nodes.get(i).name(), status.runId());
				if (status.lockable()) {
					this.sources.add(i);
				}
			}
			else if (Boolean.FALSE.equals(status.armed()) && status.uptime() != null) {
				this.unarmed.add(i);
			}
		}
		this.members = count;
		this.quorum = count / 2 + 1;
	}

	/** The quorum of the armable nodes: how many must record an incarnation before it is armed. */
	int quorum() {
		return this.quorum;
	}

	void readRegistries() {
		for (int i : this.reachable) {
			try {
				this.registries.put(i, this.armable[i].readRegistry());
			}
			catch (RuntimeException ex) {
				logger.debug("Reading the arming registry of {} failed: {}", this.nodes.get(i).name(),
						NodeFailure.describe(ex));
			}
		}
		repairStaleEntries();
		for (Map<String, String> registry : this.registries.values()) {
			this.recordedRunIds.addAll(registry.values());
		}
	}

	/**
	 * An entry of a node armed now that names another run id is stale (the node was armed again
	 * since, while that registry's node was away): it is overwritten, so it does not look like a
	 * vanished incarnation.
	 */
	private void repairStaleEntries() {
		for (Map.Entry<Integer, Map<String, String>> registry : this.registries.entrySet()) {
			Map<String, String> stale = new LinkedHashMap<>();
			registry.getValue().forEach((name, runId) -> {
				String current = this.armedNow.get(name);
				if (current != null && !current.equals(runId)) {
					stale.put(name, current);
				}
			});
			if (!stale.isEmpty() && write(registry.getKey(), stale, true)) {
				registry.getValue().putAll(stale);
			}
		}
	}

	/** Whether some registry records this very incarnation: it was armed (or is being armed). */
	boolean recorded(String runId) {
		return this.recordedRunIds.contains(runId);
	}

	/** Whether some registry names node {@code name} with a run id other than {@code runId}. */
	boolean recordedOtherwise(String name, String runId) {
		for (Map<String, String> registry : this.registries.values()) {
			String recorded = registry.get(name);
			if (recorded != null && !recorded.equals(runId)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Why a node that no registry names cannot be taken for a node that was never armed, or
	 * {@code null} if it can: no recorded incarnation has vanished, and enough armed nodes answered
	 * that a quorum's record would be seen, or some node is armed and every member's registry was
	 * read (a grown node set: a record of an earlier incarnation would be on a quorum of the
	 * members, so it is on none only if a quorum lost its data since), or this is a fresh deployment (at least a quorum answers,
	 * none is armed, no registry has an entry, this engine never saw a node armed).
	 */
	String whyNotFresh() {
		Set<String> vanished = new HashSet<>();
		// no two members answer with one run id: a member's gone incarnation is its own earlier one
		boolean distinct = this.currentRunIds.size() == this.reachable.size();
		for (Map<String, String> registry : this.registries.values()) {
			registry.forEach((name, runId) -> {
				boolean restartedMember = distinct && this.reachableNames.contains(name);
				if (!this.currentRunIds.contains(runId) && !this.armedNow.containsKey(name) && !restartedMember) {
					vanished.add(name + "=" + runId);
				}
			});
		}
		if (!vanished.isEmpty()) {
			return "a recorded incarnation is gone and may have been this node: " + vanished;
		}
		int needed = this.members - this.quorum + 1;
		boolean grownSetAllRead = !this.armedNow.isEmpty() && this.registries.size() == this.members;
		if (this.sources.size() >= needed || grownSetAllRead) {
			return null;
		}
		boolean freshDeployment = this.armedNow.isEmpty() && this.registries.size() >= this.quorum
				&& this.recordedRunIds.isEmpty() && !this.seenAnyArmed;
		return freshDeployment ? null
				: "only " + this.sources.size() + " of the " + needed + " armed nodes needed to tell answered";
	}

	/**
	 * How many armed nodes a node that may have lost data must restore from: enough to meet every
	 * quorum it was part of, or every armed node once a majority is unarmed (nothing better exists).
	 */
	int restoreSourcesNeeded() {
		return (this.unarmed.size() >= this.quorum) ? this.sources.size() : this.members - this.quorum + 1;
	}

	/**
	 * Writes what this engine saw of a node to every registry that lacks it, so that engines that
	 * did not see the node before learn that it restarted.
	 */
	void rememberOnNodes(String name, String runId) {
		if (runId == null) {
			return;
		}
		for (Map.Entry<Integer, Map<String, String>> registry : this.registries.entrySet()) {
			if (!registry.getValue().containsKey(name) && write(registry.getKey(), Map.of(name, runId), false)) {
				registry.getValue().put(name, runId);
			}
		}
	}

	/**
	 * Records a node's incarnation in the registry of every reachable armable node.
	 * @return how many recorded it
	 */
	int record(String name, String runId) {
		int recorded = 0;
		for (int i : this.reachable) {
			recorded += write(i, Map.of(name, runId), true) ? 1 : 0;
		}
		return recorded;
	}

	private boolean write(int index, Map<String, String> entries, boolean overwrite) {
		try {
			this.armable[index].writeRegistry(entries, overwrite);
			return true;
		}
		catch (RuntimeException ex) {
			logger.debug("Writing the arming registry of {} failed: {}", this.nodes.get(index).name(),
					NodeFailure.describe(ex));
			return false;
		}
	}

	/**
	 * Copies every fencing counter and registry entry of the sources to node {@code target}.
	 * @return how many sources gave all their counters
	 */
	int restore(int target, String keyPrefix) {
		ArmableNode node = this.armable[target];
		int complete = 0;
		Map<String, String> registry = new LinkedHashMap<>();
		for (int source : this.sources) {
			try {
				if (this.armable[source].readFencingCounters(keyPrefix, KeySpace.FENCING_SUFFIX,
						node::raiseFencingCounters)) {
					complete++;
				}
				this.armable[source].readRegistry().forEach(registry::putIfAbsent);
			}
			catch (RuntimeException ex) {
				logger.debug("Reading fencing counters from {} failed: {}", this.nodes.get(source).name(),
						NodeFailure.describe(ex));
			}
		}
		node.writeRegistry(registry, false);
		return complete;
	}

}
