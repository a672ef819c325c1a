package dev.redlock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Caps one process at a share of one CPU with a Linux control group CPU quota, so that a server on
 * this machine behaves as one on a host of its own with that much CPU: it can never use more,
 * whatever the rest of the machine does. Needs write access to the cgroup file system (root, or a
 * delegated hierarchy): cgroup v1's {@code cpu} controller at {@code /sys/fs/cgroup/cpu}, or
 * cgroup v2 at {@code /sys/fs/cgroup} with the {@code cpu} controller enabled. Closing it moves the
 * process (if it still runs) back and removes the group.
 */
final class CpuLimit implements AutoCloseable {

	/** The scheduling period: short, so that a throttled server waits milliseconds, not 100 ms. */
	private static final int PERIOD_MICROS = 10_000;

	private static final Path V1_ROOT = Path.of("/sys/fs/cgroup/cpu");

	private static final Path V2_ROOT = Path.of("/sys/fs/cgroup");

	private final Path root;

	private final Path group;

	private final long pid;

	private CpuLimit(Path root, Path group, long pid) {
		this.root = root;
		this.group = group;
		this.pid = pid;
	}

	/**
	 * Why CPU limits cannot be set on this machine.
	 * @return the reason, or {@code null} when they can
	 */
	static String unavailableReason() {
		if (Files.isWritable(V1_ROOT.resolve("cgroup.procs")) && Files.exists(V1_ROOT.resolve("cpu.cfs_quota_us"))) {
			return null;
		}
		if (Files.isWritable(V2_ROOT.resolve("cgroup.subtree_control")) && readOrEmpty(V2_ROOT.resolve("cgroup.controllers")).contains("cpu")) {
			return null;
		}
		return "no writable cgroup CPU controller (needs root and /sys/fs/cgroup/cpu, or cgroup v2 with the cpu controller)";
	}

	/**
	 * Limits a process.
	 * @param pid the process
	 * @param cpus its share of one CPU, such as {@code 0.1}
	 * @return the limit; close it to lift it
	 * @throws IllegalStateException when limits cannot be set here, with the reason
	 */
	static CpuLimit apply(long pid, double cpus) {
		String reason = unavailableReason();
		if (reason != null) {
			throw new IllegalStateException("Cannot limit the CPU of process " + pid + ": " + reason);
		}
		if (!(cpus > 0 && cpus <= 64)) {
			throw new IllegalArgumentException("CPU share must be in (0, 64], was " + cpus);
		}
		long quota = Math.max(1000, Math.round(cpus * PERIOD_MICROS));
		boolean v1 = Files.exists(V1_ROOT.resolve("cpu.cfs_quota_us"));
		Path root = v1 ? V1_ROOT : V2_ROOT;
		Path group = root.resolve("redlock-bench-" + pid);
		try {
			Files.createDirectories(group);
			if (v1) {
				write(group.resolve("cpu.cfs_period_us"), Integer.toString(PERIOD_MICROS));
				write(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
			}
			else {
				write(root.resolve("cgroup.subtree_control"), "+cpu");
				write(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
			}
			write(group.resolve("cgroup.procs"), Long.toString(pid));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot limit process " + pid + " to " + cpus + " CPU in " + group, ex);
		}
		return new CpuLimit(root, group, pid);
	}

	/**
	 * The limited process.
	 * @return its id
	 */
	long pid() {
		return this.pid;
	}

	/**
	 * Whether a process is in the limited group.
	 * @param process the process id
	 * @return {@code true} if the group lists it
	 */
	boolean contains(long process) {
		return readOrEmpty(this.group.resolve("cgroup.procs")).lines().anyMatch((line) -> line.trim().equals(Long.toString(process)));
	}

	/**
	 * How often the limited process was held back, from the group's statistics.
	 * @return how many periods it hit the quota in ({@code nr_throttled}), or -1 when unknown
	 */
	long throttledPeriods() {
		for (String line : readOrEmpty(this.group.resolve("cpu.stat")).split("\n")) {
			if (line.startsWith("nr_throttled ")) {
				return Long.parseLong(line.substring("nr_throttled ".length()).trim());
			}
		}
		return -1;
	}

	/**
	 * Moves the process back to the root group if it still runs, and removes the group.
	 */
	@Override
	public void close() {
		if (ProcessHandle.of(this.pid).map(ProcessHandle::isAlive).orElse(false)) {
			try {
				write(this.root.resolve("cgroup.procs"), Long.toString(this.pid));
			}
			catch (IOException ex) {
				// the process ended meanwhile
			}
		}
		try {
			Files.deleteIfExists(this.group);
		}
		catch (IOException ex) {
			System.out.println("WARNING: could not remove " + this.group + ": " + ex.getMessage());
		}
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "%s (%s)", this.group, readOrEmpty(this.group.resolve(
				Files.exists(this.group.resolve("cpu.max")) ? "cpu.max" : "cpu.cfs_quota_us")).trim());
	}

	private static void write(Path file, String value) throws IOException {
		Files.writeString(file, value, StandardCharsets.US_ASCII);
	}

	private static String readOrEmpty(Path file) {
		try {
			return Files.readString(file, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			return "";
		}
	}

}
