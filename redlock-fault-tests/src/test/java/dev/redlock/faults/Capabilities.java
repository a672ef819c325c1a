package dev.redlock.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.redlock.test.FakeClock;
import dev.redlock.test.RedisBinary;
import dev.redlock.test.RedisServerProcess;

/**
 * What this machine lets the suite do, found out before the run: root and the tools for network
 * namespaces and {@code iptables} (silent partitions), {@code kill} (client pauses), and
 * {@code libfaketime} with a Redis build that runs under it (real clock faults; without it,
 * clock faults are modelled). On CI (the environment variable {@code CI=true}), as root with
 * {@code apt-get}, missing packages are installed first; elsewhere the suite only says what is
 * missing.
 *
 * @param root whether the suite runs as root
 * @param partitionTools why partitions cannot be made, or {@code null} if the tools are there
 * @param signals whether {@code kill} is there
 * @param faketime {@code libfaketime}, if a fake clock works with the embedded Redis build
 * @param clockNote how clock faults are made, for the report
 */
record Capabilities(boolean root, String partitionTools, boolean signals, Optional<Path> faketime, String clockNote) {

	static Capabilities detect(boolean ci) {
		boolean root = "0".equals(Commands.runQuietly("id", "-u").trim());
		if (ci && root && works("apt-get", "--version")) {
			List<String> missing = new ArrayList<>();
			if (!works("ip", "-V")) {
				missing.add("iproute2");
			}
			if (!works("iptables", "-V")) {
				missing.add("iptables");
			}
			if (!works("kill", "-l")) {
				missing.add("procps");
			}
			if (FakeClock.library().isEmpty()) {
				missing.add("faketime");
			}
			if (!missing.isEmpty()) {
				System.out.println("Installing " + missing + " for the fault suite");
				List<String> command = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
				command.addAll(missing);
				Commands.works(Duration.ofMinutes(5), "apt-get", "update", "-qq");
				Commands.works(Duration.ofMinutes(5), command.toArray(String[]::new));
			}
		}
		String partitionTools = !root ? "not root: network namespaces and iptables need it"
				: !works("ip", "-V") ? "no 'ip' command (install iproute2)"
						: !works("iptables", "-V") ? "no 'iptables' command (install iptables)" : null;
		Optional<Path> library = FakeClock.library();
		String clockNote;
		Optional<Path> faketime = Optional.empty();
		if (library.isEmpty()) {
			clockNote = "modelled (no libfaketime: install faketime for real clock faults): lock keys' TTLs shrink, "
					+ "all at once for a jump";
		}
		else {
			String problem = fakeClockProblem(library.get());
			if (problem == null) {
				faketime = library;
				clockNote = "real: the last " + LockNodes.CLOCK_NODES + " nodes run the embedded Redis "
						+ RedisBinary.embedded().version() + " on libfaketime (" + library.get() + ")";
			}
			else {
				clockNote = "modelled (libfaketime does not work with the embedded Redis: " + problem + ")";
			}
		}
		return new Capabilities(root, partitionTools, works("kill", "-l"), faketime, clockNote);
	}

	/** Starts the embedded Redis on a fake clock and checks that a jump shows in {@code TIME}. */
	private static String fakeClockProblem(Path library) {
		try (FakeClock clock = FakeClock.create(library);
				RedisServerProcess server = RedisServerProcess.builder().binary(RedisBinary.embedded())
					.environment(clock.environment()).start()) {
			clock.advance(Duration.ofSeconds(30));
			long seconds = Long.parseLong((String) ((List<?>) server.call("TIME")).get(0));
			long ahead = seconds - System.currentTimeMillis() / 1000;
			return (ahead >= 28 && ahead <= 32) ? null : "its clock is " + ahead + " s ahead, not 30 s";
		}
		catch (RuntimeException ex) {
			return ex.toString();
		}
	}

	private static boolean works(String... command) {
		return Commands.works(Duration.ofSeconds(20), command);
	}

}
