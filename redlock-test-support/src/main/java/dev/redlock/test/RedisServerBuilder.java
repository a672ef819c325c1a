package dev.redlock.test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Describes a {@link RedisServerProcess} to start: its binary, the addresses it listens on beyond
 * {@value RedisServerProcess#HOST}, its environment and further arguments. Every restart of the
 * server uses the same description.
 *
 * <pre>{@code
 * RedisServerProcess server = RedisServerProcess.builder()
 *     .binary(RedisBinary.embedded())
 *     .environment(clock.environment())
 *     .start();
 * }</pre>
 */
public final class RedisServerBuilder {

	private RedisBinary binary;

	private final List<String> bindAddresses = new ArrayList<>(List.of(RedisServerProcess.HOST));

	private final Map<String, String> environment = new HashMap<>();

	private final List<String> args = new ArrayList<>();

	RedisServerBuilder() {
	}

	/**
	 * The executable to run.
	 * @param binary the binary, such as {@link RedisBinary#embedded()}; by default
	 * {@link RedisBinary#locate()}
	 * @return this builder
	 */
	public RedisServerBuilder binary(RedisBinary binary) {
		this.binary = Objects.requireNonNull(binary, "binary");
		return this;
	}

	/**
	 * Listens on a further address of this machine as well as {@value RedisServerProcess#HOST},
	 * such as the address of a bridge that network namespaces made by the test reach.
	 * @param address the address
	 * @return this builder
	 */
	public RedisServerBuilder alsoBind(String address) {
		if (address == null || address.isBlank()) {
			throw new IllegalArgumentException("alsoBind address must not be blank");
		}
		this.bindAddresses.add(address);
		return this;
	}

	/**
	 * Sets environment variables of the server process.
	 * @param variables the variables, such as {@code LD_PRELOAD}
	 * @return this builder
	 */
	public RedisServerBuilder environment(Map<String, String> variables) {
		variables.forEach((name, value) -> this.environment.put(Objects.requireNonNull(name, "name"),
				Objects.requireNonNull(value, "value of " + name)));
		return this;
	}

	/**
	 * Adds {@code redis-server} arguments.
	 * @param args arguments, such as {@code --requirepass s3cret}
	 * @return this builder
	 */
	public RedisServerBuilder args(String... args) {
		this.args.addAll(List.of(args));
		return this;
	}

	/**
	 * Starts the server on a free port.
	 * @return the running server
	 */
	public RedisServerProcess start() {
		RedisBinary chosen = (this.binary != null) ? this.binary : RedisBinary.locate();
		return RedisServerProcess
			.start(new RedisServerProcess(chosen, this.args, null, this.bindAddresses, this.environment));
	}

}
