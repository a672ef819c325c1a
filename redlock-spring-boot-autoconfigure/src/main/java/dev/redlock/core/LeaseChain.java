package dev.redlock.core;

import java.util.concurrent.CompletableFuture;

/**
 * The commands a held lock has sent so far, per node: its acquisition, then each extension. The
 * next command (an extension, the release) follows them on each node ({@link Preceding}), so a
 * late extension can never override a later lease or a hold-at-least.
 */
final class LeaseChain implements Preceding {

	private final Round acquisition;

	private final CompletableFuture<?>[] tails;

	private LeaseChain(Round acquisition, CompletableFuture<?>[] tails) {
		this.acquisition = acquisition;
		this.tails = tails;
	}

	/** The chain of a lock just acquired by {@code acquisition}. */
	static LeaseChain of(Round acquisition, int nodes) {
		CompletableFuture<?>[] tails = new CompletableFuture<?>[nodes];
		for (int i = 0; i < nodes; i++) {
			tails[i] = acquisition.call(i);
		}
		return new LeaseChain(acquisition, tails);
	}

	/** The chain once {@code round} has been sent too. */
	LeaseChain then(Round round) {
		CompletableFuture<?>[] next = new CompletableFuture<?>[this.tails.length];
		for (int i = 0; i < next.length; i++) {
			CompletableFuture<?> call = round.call(i);
			next[i] = (this.tails[i].isDone() || (call.isDone() && call == this.tails[i])) ? call
					: CompletableFuture.allOf(this.tails[i], call);
		}
		return new LeaseChain(this.acquisition, next);
	}

	@Override
	public CompletableFuture<?> tail(int index) {
		return this.tails[index];
	}

	@Override
	public boolean needed(int index) {
		return this.acquisition.needed(index);
	}

}
