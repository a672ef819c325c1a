package dev.redlock.core;

import java.util.Map;
import java.util.function.Consumer;

/**
 * A node capability ({@link LockNode#capability}): the node grants locks only while it is
 * <em>armed</em>, a marker key that a restart without persistence wipes together with the locks,
 * so an emptied node cannot grant a lock again before the engine has decided it may. The node
 * also keeps a small registry of the node incarnations that were armed (node name to
 * {@code run_id}), which the engine reads to tell a freshly started node from one that restarted
 * empty after it may have granted locks.
 */
public interface ArmableNode {

	/**
	 * The keys arming uses on the node.
	 * @param marker the marker whose presence lets the node grant locks
	 * @param ticket a key that {@link #beginArming} sets and {@link #arm} checks, so that a node
	 * that restarts in between is not armed
	 * @param registryPrefix the prefix of the registry's keys, one per node name
	 */
	record Keys(String marker, String ticket, String registryPrefix) {
	}

	/**
	 * From now on, the node grants a lock only while the marker exists, and its probes tell
	 * whether it does ({@link NodeStatus#armed()}).
	 * @param keys the keys
	 */
	void requireArming(Keys keys);

	/**
	 * The incarnation the marker names: the run id the node had when it was armed. A replica
	 * promoted by a failover inherits its former master's marker, which then names another run id
	 * than the node's own.
	 * @return the run id, or {@code null} if there is no marker
	 */
	String armedIncarnation();

	/**
	 * Starts arming: sets a ticket that a restart wipes.
	 * @return the ticket
	 */
	String beginArming();

	/**
	 * Whether arming has begun and not ended: a ticket of {@link #beginArming} is there (another
	 * engine is arming the node now, or stopped mid-arming and left it until it expires).
	 * @return {@code true} while a ticket exists
	 */
	boolean isBeingArmed();

	/**
	 * Ends an arming that will not arm: removes the ticket of {@link #beginArming}, if it is still
	 * this one, so that other engines do not wait for it ({@link #isBeingArmed}). A node that does
	 * nothing here keeps the ticket until it expires; engines take over a ticket they have seen for
	 * the hold-out.
	 * @param ticket the ticket {@link #beginArming} returned
	 */
	default void abandonArming(String ticket) {
	}

	/**
	 * Sets the marker, if the ticket of {@link #beginArming} is still there (the node did not
	 * restart meanwhile).
	 * @param ticket the ticket
	 * @param runId the run id of the incarnation being armed, stored as the marker's value
	 * @return {@code true} if the node is now armed
	 */
	boolean arm(String ticket, String runId);

	/**
	 * Reads the registry of armed incarnations.
	 * @return node names and the run id each had when it was last armed
	 */
	Map<String, String> readRegistry();

	/**
	 * Writes entries to the registry.
	 * @param entries node names and run ids
	 * @param overwrite {@code true} to replace an entry's value; {@code false} to add only
	 * entries the registry lacks
	 */
	void writeRegistry(Map<String, String> entries, boolean overwrite);

	/**
	 * Reads every fencing counter (every key that starts with {@code prefix} and ends with
	 * {@code suffix}), a batch at a time, so that a node that restarted empty can get them back.
	 * @param prefix the start of the counters' keys: the key prefix
	 * @param suffix the end of the counters' keys
	 * @param batch takes each batch: counter keys and their values
	 * @return {@code true} if the node was armed until the last batch was read, so that what it
	 * gave is everything it held; {@code false} if its marker is gone (it restarted meanwhile)
	 */
	boolean readFencingCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch);

	/**
	 * Raises each fencing counter to at least the given value, in one atomic step per call.
	 * @param counters counter keys and the values they must at least have
	 */
	void raiseFencingCounters(Map<String, Long> counters);

}
