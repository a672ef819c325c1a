package dev.redlock.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A lock key of one benchmark thread's own, so that threads never contend: {@code bench:<n>}.
 */
@State(Scope.Thread)
public class ThreadKey {

	/** The key. */
	public String key;

	/**
	 * Names the key after the thread's index.
	 * @param thread the benchmark thread
	 */
	@Setup(Level.Trial)
	public void name(ThreadParams thread) {
		this.key = "bench:" + thread.getThreadIndex();
	}

}
