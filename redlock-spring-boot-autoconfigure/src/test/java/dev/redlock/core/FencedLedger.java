package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The resource side of fencing, as docs/semantics.md ("Fencing tokens") shows it: a store that remembers the highest
 * fencing token it has accepted and rejects writes that carry a lower one, so a holder whose lock
 * expired while it was paused cannot overwrite the work of the next holder.
 */
final class FencedLedger {

	private long highestToken;

	private final List<String> entries = new ArrayList<>();

	/**
	 * Writes an entry if the token is not older than the newest seen.
	 * @return {@code true} if written, {@code false} if rejected as stale
	 */
	synchronized boolean write(long fencingToken, String entry) {
		if (fencingToken < this.highestToken) {
			return false;
		}
		this.highestToken = fencingToken;
		this.entries.add(entry);
		return true;
	}

	synchronized List<String> entries() {
		return List.copyOf(this.entries);
	}

}
