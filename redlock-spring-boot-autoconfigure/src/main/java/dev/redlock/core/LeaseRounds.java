package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A held lock's extension rounds, one at a time under its lease lock: each sent after the lock's
 * earlier commands on every node ({@link LeaseChain}), its {@link Validity} cut before and decided
 * after. The release follows the same chain.
 */
final class LeaseRounds {

	private final LeaseOps engine;

	private final List<String> keys;

	private final String token;

	private final Validity validity;

	/** The commands sent so far, which the next one follows on each node; changed under the lease lock. */
	private volatile LeaseChain chain;

	LeaseRounds(LeaseOps engine, List<String> keys, String token, Round acquisition, Validity validity) {
		this.engine = engine;
		this.keys = keys;
		this.token = token;
		this.validity = validity;
		this.chain = LeaseChain.of(acquisition, engine.nodeCount());
	}

	/** The commands sent so far. */
	LeaseChain chain() {
		return this.chain;
	}

	/**
	 * One extension round. On failure the validity is cut to what the new lease would give if it
	 * is shorter, since some nodes may have applied it.
	 */
	void extend(Duration leaseTime, Consumer<LeaseMath.Extended> then) {
		RedlockSettings settings = this.engine.settings();
		long timeout = this.validity.beginExtension(this.engine.nanoTime(), leaseTime.toMillis(),
				settings.nodeTimeout().toNanos(), settings);
		if (timeout < 0) {
			then.accept(LeaseMath.Extended.NO);
			return;
		}
		this.engine.extend(this.keys, this.token, leaseTime.toMillis(), timeout, this.chain, (result) -> {
			this.chain = this.chain.then(result.round());
			then.accept(this.validity.extensionDecided(result.extended(), result.refused(), this.engine.quorum(),
					this.engine.nodeCount(), this.engine.nanoTime()));
		});
	}

}
