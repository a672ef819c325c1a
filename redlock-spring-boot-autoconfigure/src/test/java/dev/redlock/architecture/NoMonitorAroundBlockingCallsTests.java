package dev.redlock.architecture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;

import dev.redlock.LockTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise for virtual threads (docs/semantics.md, "Virtual threads"), checked on the bytecode so that it holds on every
 * JDK (JFR's {@code jdk.VirtualThreadPinned} shows monitors only on JDK 21 to 23; from 24 on a
 * monitor no longer pins, but a library for Java 17+ still runs on 21): no class of the library
 * holds a monitor ({@code synchronized} method or block) around a call that blocks: socket and
 * stream I/O, Jedis commands, sleeping, waiting on a future, latch, condition, queue, lock or
 * semaphore. A method that holds a monitor and calls one of those fails the test; the monitors
 * that remain (short bookkeeping) are listed in the output.
 */
class NoMonitorAroundBlockingCallsTests {

	/** Owners (internal names, prefixes) and method names of calls that may block. */
	private static final List<String[]> BLOCKING = List.of(new String[] { "java/io/", "read" },
			new String[] { "java/io/", "write" }, new String[] { "java/io/", "flush" },
			new String[] { "java/net/", "connect" }, new String[] { "java/net/", "accept" },
			new String[] { "java/nio/channels/", "read" }, new String[] { "java/nio/channels/", "write" },
			new String[] { "java/nio/channels/", "select" }, new String[] { "redis/clients/jedis/", "" },
			new String[] { "java/lang/Thread", "sleep" }, new String[] { "java/lang/Thread", "join" },
			new String[] { "java/lang/Object", "wait" }, new String[] { "java/util/concurrent/locks/LockSupport", "park" },
			new String[] { "java/util/concurrent/", "get" }, new String[] { "java/util/concurrent/", "join" },
			new String[] { "java/util/concurrent/", "await" }, new String[] { "java/util/concurrent/", "take" },
			new String[] { "java/util/concurrent/", "put" }, new String[] { "java/util/concurrent/", "acquire" },
			new String[] { "java/util/concurrent/locks/", "lock" });

	@Test
	void noMonitorShouldBeHeldAroundABlockingCall() throws Exception {
		Path classes = Path.of(LockTemplate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> monitors = new ArrayList<>();
		Set<String> violations = new TreeSet<>();
		try (Stream<Path> files = Files.walk(classes.resolve("dev/redlock"))) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".class")).toList()) {
				scan(file, monitors, violations);
			}
		}
		System.out.println("Monitors in the library (none around a blocking call): " + monitors);
		assertThat(monitors).as("the scan found the library's classes and their monitors").isNotEmpty();
		assertThat(violations).as("monitors held around blocking calls (use java.util.concurrent locks)").isEmpty();
	}

	private static void scan(Path file, List<String> monitors, Set<String> violations) {
		try (InputStream in = Files.newInputStream(file)) {
			ClassReader reader = new ClassReader(in);
			String type = reader.getClassName().replace('/', '.');
			reader.accept(new ClassVisitor(Opcodes.ASM9) {

				@Override
				public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
						String[] exceptions) {
					boolean synchronizedMethod = (access & Opcodes.ACC_SYNCHRONIZED) != 0;
					String method = type + "." + name;
					return new MethodVisitor(Opcodes.ASM9) {

						private boolean monitor = synchronizedMethod;

						private final List<String> blocking = new ArrayList<>();

						@Override
						public void visitInsn(int opcode) {
							if (opcode == Opcodes.MONITORENTER) {
								this.monitor = true;
							}
						}

						@Override
						public void visitMethodInsn(int opcode, String owner, String callee, String calleeDescriptor,
								boolean isInterface) {
							if (isBlocking(owner, callee)) {
								this.blocking.add(owner.replace('/', '.') + "." + callee);
							}
						}

						@Override
						public void visitEnd() {
							if (this.monitor) {
								monitors.add(method + (synchronizedMethod ? " (synchronized method)" : " (synchronized block)"));
								this.blocking.forEach((call) -> violations.add(method + " calls " + call));
							}
						}

					};
				}

			}, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean isBlocking(String owner, String method) {
		if (owner.startsWith("java/util/concurrent/atomic/") || owner.startsWith("java/util/concurrent/Concurrent")) {
			return false; // atomics and concurrent collections do not block
		}
		for (String[] call : BLOCKING) {
			if (owner.startsWith(call[0]) && method.startsWith(call[1])) {
				return true;
			}
		}
		return false;
	}

	@Test
	void scanShouldSeeAMonitorAroundABlockingCall() throws URISyntaxException {
		Path classes = Path.of(Offender.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> monitors = new ArrayList<>();
		Set<String> violations = new TreeSet<>();
		scan(classes.resolve(Offender.class.getName().replace('.', '/') + ".class"), monitors, violations);
		assertThat(violations).containsExactlyInAnyOrder(Offender.class.getName() + ".sleepy calls java.lang.Thread.sleep",
				Offender.class.getName() + ".reads calls java.io.InputStream.read");
	}

	/** What the rule must catch. */
	static final class Offender {

		synchronized void sleepy() throws InterruptedException {
			Thread.sleep(1);
		}

		int reads(InputStream in) throws IOException {
			synchronized (this) {
				return in.read();
			}
		}

	}

}
