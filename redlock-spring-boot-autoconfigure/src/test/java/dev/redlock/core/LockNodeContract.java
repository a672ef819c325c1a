package dev.redlock.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What a node must do to be a Redlock member, whatever client it speaks through: the contract of
 * {@link LockNode}, {@link FencedNode} and {@link ArmableNode}. A driver's test extends this and
 * says how to make a node on a fresh member and how to restart that member empty; every test works
 * under its own key prefix.
 */
public abstract class LockNodeContract {

	/** Long enough never to expire during a test. */
	private static final long LONG_TTL = 60_000;

	/** Short enough to expire within the test's bounded wait. */
	private static final long SHORT_TTL = 300;

	private static final Duration EXPIRY_BOUND = Duration.ofSeconds(10);

	private final String prefix = "contract:" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private LockNode node;

	/**
	 * A node on the member under test; the test closes it.
	 * @return a new node
	 */
	protected abstract LockNode newNode();

	/**
	 * Restarts the member under test without persistence: every key is gone and its incarnation
	 * ({@code run_id}) changes. Nodes made before may be unusable afterwards.
	 */
	protected abstract void restartMemberEmpty();

	@BeforeEach
	void openNode() {
		this.node = newNode();
	}

	@AfterEach
	void closeNode() {
		this.node.close();
	}

	private String key(String name) {
		return this.prefix + name;
	}

	private ArmableNode armable(LockNode on) {
		ArmableNode arming = on.capability(ArmableNode.class).orElseThrow();
		arming.requireArming(new ArmableNode.Keys(key("armed"), key("arming"), key("registry:")));
		return arming;
	}

	private FencedNode fenced() {
		return this.node.capability(FencedNode.class).orElseThrow();
	}

	@Test
	void acquireSetsTheKeyOnceAndRefusesItWhileHeld() {
		List<String> lock = List.of(key("a"));
		assertThat(this.node.tryAcquire(lock, "t1", LONG_TTL)).isTrue();
		assertThat(this.node.tryAcquire(lock, "t2", LONG_TTL)).as("held by t1").isFalse();
		assertThat(this.node.tryAcquire(lock, "t1", LONG_TTL)).as("not reentrant: NX").isFalse();
		assertThat(this.node.release(lock, "t1")).isTrue();
		assertThat(this.node.tryAcquire(lock, "t2", LONG_TTL)).as("free again").isTrue();
	}

	@Test
	void multiKeyAcquireIsAllOrNone() {
		assertThat(this.node.tryAcquire(List.of(key("a"), key("b")), "t1", LONG_TTL)).isTrue();
		assertThat(this.node.tryAcquire(List.of(key("c"), key("b")), "t2", LONG_TTL)).as("b is held").isFalse();
		assertThat(this.node.tryAcquire(List.of(key("c")), "t3", LONG_TTL)).as("c was not taken by t2").isTrue();
		assertThat(this.node.release(List.of(key("a"), key("b")), "t1")).isTrue();
	}

	@Test
	void aKeyExpiresAfterItsTimeToLive() {
		List<String> lock = List.of(key("a"));
		assertThat(this.node.tryAcquire(lock, "t1", SHORT_TTL)).isTrue();
		await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(20))
			.until(() -> this.node.tryAcquire(lock, "t2", LONG_TTL));
		assertThat(this.node.release(lock, "t1")).as("t1's lease is gone").isFalse();
	}

	@Test
	void releaseDeletesOnlyTheOwnersKeys() {
		List<String> lock = List.of(key("a"));
		assertThat(this.node.tryAcquire(lock, "t1", LONG_TTL)).isTrue();
		assertThat(this.node.release(lock, "t2")).as("not t2's").isFalse();
		assertThat(this.node.tryAcquire(lock, "t2", LONG_TTL)).as("still held by t1").isFalse();
		assertThat(this.node.release(lock, "t1")).isTrue();
		assertThat(this.node.release(lock, "t1")).as("already gone").isFalse();
		assertThat(this.node.tryAcquire(List.of(key("b")), "t1", LONG_TTL)).isTrue();
		assertThat(this.node.tryAcquire(List.of(key("c")), "t2", LONG_TTL)).isTrue();
		assertThat(this.node.release(List.of(key("b"), key("c")), "t1")).as("c is t2's").isFalse();
		assertThat(this.node.tryAcquire(List.of(key("b")), "t3", LONG_TTL)).as("t1's own key was released").isTrue();
		assertThat(this.node.tryAcquire(List.of(key("c")), "t3", LONG_TTL)).as("t2's key stays").isFalse();
	}

	@Test
	void extendRenewsOnlyTheOwnersLease() {
		List<String> lock = List.of(key("a"));
		assertThat(this.node.extend(lock, "t1", LONG_TTL)).as("absent").isFalse();
		assertThat(this.node.tryAcquire(lock, "t1", SHORT_TTL)).isTrue();
		assertThat(this.node.extend(lock, "t2", LONG_TTL)).as("not t2's").isFalse();
		assertThat(this.node.extend(lock, "t1", LONG_TTL)).isTrue();
		long afterShortTtl = System.nanoTime() + Duration.ofMillis(SHORT_TTL * 3).toNanos();
		await().atMost(EXPIRY_BOUND).until(() -> System.nanoTime() - afterShortTtl > 0);
		assertThat(this.node.tryAcquire(lock, "t2", LONG_TTL)).as("the extended lease outlives the first TTL")
			.isFalse();
		List<String> pair = List.of(key("b"), key("c"));
		assertThat(this.node.tryAcquire(pair, "t1", LONG_TTL)).isTrue();
		assertThat(this.node.extend(List.of(key("b"), key("d")), "t1", LONG_TTL)).as("d is not held").isFalse();
		assertThat(this.node.extend(pair, "t1", LONG_TTL)).isTrue();
	}

	@Test
	void extendShortensALeaseForHoldAtLeast() {
		List<String> lock = List.of(key("a"));
		assertThat(this.node.tryAcquire(lock, "t1", LONG_TTL)).isTrue();
		assertThat(this.node.extend(lock, "t1", SHORT_TTL)).isTrue();
		await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(20))
			.until(() -> this.node.tryAcquire(lock, "t2", LONG_TTL));
	}

	@Test
	void fencedAcquireReadsTheCounterThatOnlyTheHolderRaises() {
		FencedNode fenced = fenced();
		String lock = key("{f}");
		String counter = key("{f}:fencing");
		assertThat(fenced.tryAcquireFenced(lock, "t1", LONG_TTL, counter)).as("no counter yet").isZero();
		assertThat(fenced.tryAcquireFenced(lock, "t2", LONG_TTL, counter)).as("held").isEqualTo(-1L);
		assertThat(fenced.raiseFence(lock, "t2", counter, 99)).as("not t2's").isFalse();
		assertThat(fenced.raiseFence(lock, "t1", counter, 7)).isTrue();
		assertThat(fenced.raiseFence(lock, "t1", counter, 5)).as("held, but never lowered").isTrue();
		assertThat(this.node.release(List.of(lock), "t1")).isTrue();
		assertThat(fenced.raiseFence(lock, "t1", counter, 50)).as("released").isFalse();
		assertThat(fenced.tryAcquireFenced(lock, "t2", LONG_TTL, counter)).as("the max registered").isEqualTo(7L);
	}

	@Test
	void anArmedNodeGrantsLocksOnlyWhileItsMarkerLives() {
		ArmableNode arming = armable(this.node);
		assertThat(arming.armedIncarnation()).isNull();
		assertThatExceptionOfType(NodeFailure.class).isThrownBy(() -> this.node.tryAcquire(List.of(key("a")), "t1", LONG_TTL))
			.satisfies((failure) -> assertThat(failure.kind()).isEqualTo(NodeFailure.Kind.NOT_ARMED));
		assertThatExceptionOfType(NodeFailure.class)
			.isThrownBy(() -> fenced().tryAcquireFenced(key("{f}"), "t1", LONG_TTL, key("{f}:fencing")))
			.satisfies((failure) -> assertThat(failure.kind()).isEqualTo(NodeFailure.Kind.NOT_ARMED));
		NodeStatus unarmed = this.node.probe(key("canary"));
		assertThat(unarmed.reachable()).isTrue();
		assertThat(unarmed.lockable()).isFalse();
		assertThat(unarmed.armed()).isFalse();
		assertThat(unarmed.runId()).isNotBlank();

		assertThat(arming.isBeingArmed()).isFalse();
		String ticket = arming.beginArming();
		assertThat(arming.isBeingArmed()).isTrue();
		assertThat(arming.arm("not-" + ticket, unarmed.runId())).as("another's ticket").isFalse();
		assertThat(arming.arm(ticket, unarmed.runId())).isTrue();
		assertThat(arming.isBeingArmed()).as("the ticket is spent").isFalse();
		assertThat(arming.arm(ticket, unarmed.runId())).as("a ticket arms once").isFalse();
		assertThat(arming.armedIncarnation()).isEqualTo(unarmed.runId());
		NodeStatus armed = this.node.probe(key("canary"));
		assertThat(armed.armed()).isTrue();
		assertThat(armed.lockable()).isTrue();
		assertThat(this.node.tryAcquire(List.of(key("a")), "t1", LONG_TTL)).isTrue();
		assertThat(this.node.tryAcquire(List.of(key("a")), "t2", LONG_TTL)).isFalse();
	}

	@Test
	void anAbandonedArmingEndsOnlyItsOwnTicket() {
		ArmableNode arming = armable(this.node);
		String first = arming.beginArming();
		String second = arming.beginArming();
		assertThat(second).as("every arming has a ticket of its own").isNotEqualTo(first);
		arming.abandonArming(first);
		assertThat(arming.isBeingArmed()).as("another engine's ticket stays").isTrue();
		assertThat(arming.arm(first, "r1")).as("a replaced ticket arms nothing").isFalse();
		arming.abandonArming(second);
		assertThat(arming.isBeingArmed()).as("its own ends").isFalse();
		assertThat(arming.arm(second, "r1")).as("an abandoned ticket arms nothing").isFalse();
		assertThat(arming.armedIncarnation()).isNull();
	}

	@Test
	void aRestartWithoutPersistenceDisarmsTheNodeAndSpendsItsTicket() {
		ArmableNode arming = armable(this.node);
		String staleTicket = arming.beginArming();
		String firstRunId = this.node.probe(key("canary")).runId();
		this.node.close();
		restartMemberEmpty();
		this.node = newNode();
		ArmableNode fresh = armable(this.node);
		assertThat(fresh.isBeingArmed()).isFalse();
		assertThat(fresh.arm(staleTicket, firstRunId)).as("the restart wiped the ticket").isFalse();
		NodeStatus status = this.node.probe(key("canary"));
		assertThat(status.runId()).as("a new incarnation").isNotEqualTo(firstRunId);
		assertThat(status.armed()).isFalse();
		assertThatExceptionOfType(NodeFailure.class)
			.isThrownBy(() -> this.node.tryAcquire(List.of(key("a")), "t1", LONG_TTL));
	}

	@Test
	void theRegistryAndTheFencingCountersSurviveAsWritten() {
		ArmableNode arming = armable(this.node);
		Map<String, Long> read = new HashMap<>();
		assertThat(arming.readFencingCounters(key(""), ":fencing", read::putAll)).as("not armed").isFalse();
		assertThat(arming.arm(arming.beginArming(), "r1")).isTrue();

		arming.writeRegistry(Map.of("n1", "r1", "n2", "r2"), false);
		arming.writeRegistry(Map.of("n1", "other", "n3", "r3"), false);
		assertThat(arming.readRegistry()).as("add-only keeps n1").isEqualTo(Map.of("n1", "r1", "n2", "r2", "n3", "r3"));
		arming.writeRegistry(Map.of("n1", "r9"), true);
		assertThat(arming.readRegistry()).containsEntry("n1", "r9");

		arming.raiseFencingCounters(Map.of(key("x:fencing"), 5L, key("y:fencing"), 3L));
		arming.raiseFencingCounters(Map.of(key("x:fencing"), 2L, key("y:fencing"), 8L));
		assertThat(this.node.tryAcquire(List.of(key("z")), "a lock, not a counter", LONG_TTL)).isTrue();
		assertThat(arming.readFencingCounters(key(""), ":fencing", read::putAll)).isTrue();
		assertThat(read).as("raised, never lowered")
			.isEqualTo(Map.of(key("x:fencing"), 5L, key("y:fencing"), 8L));
	}

	@Test
	void aProbeOfAHealthyMasterLeavesNoCanaryBehind() {
		NodeStatus status = this.node.probe(key("canary"));
		assertThat(status.reachable()).isTrue();
		assertThat(status.lockable()).isTrue();
		assertThat(status.problem()).isEmpty();
		assertThat(status.isReplica()).isFalse();
		assertThat(status.runId()).isNotBlank();
		assertThat(status.armed()).as("arming not required").isNull();
		assertThat(this.node.tryAcquire(List.of(key("canary")), "t1", LONG_TTL)).as("the canary was deleted").isTrue();
	}

}
