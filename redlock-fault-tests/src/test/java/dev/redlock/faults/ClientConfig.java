package dev.redlock.faults;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What one client JVM is told by the suite, through a properties file: its name, where its
 * history goes, the fenced resource, its workload, and the starter's {@code redlock.*} properties
 * (passed to Spring Boot unchanged).
 *
 * @param name the client's name, such as {@code c2}
 * @param history the file the client writes its history to
 * @param resourceHost the fenced resource's host
 * @param resourcePort the fenced resource's port
 * @param seed the seed of the client's random choices
 * @param workers how many threads take locks
 * @param keys how many lock keys the workers share with the other clients
 * @param lease the lease of every lock
 * @param waitTime the wait time of every lock
 * @param spring the {@code redlock.*}, {@code logging.*} and {@code spring.*} properties
 */
record ClientConfig(String name, Path history, String resourceHost, int resourcePort, long seed, int workers,
		int keys, Duration lease, Duration waitTime, Map<String, String> spring) {

	ClientConfig {
		spring = Map.copyOf(spring);
	}

	void write(Path file) {
		Properties properties = new Properties();
		properties.setProperty("fault.name", this.name);
		properties.setProperty("fault.history", this.history.toString());
		properties.setProperty("fault.resource", this.resourceHost + ":" + this.resourcePort);
		properties.setProperty("fault.seed", Long.toString(this.seed));
		properties.setProperty("fault.workers", Integer.toString(this.workers));
		properties.setProperty("fault.keys", Integer.toString(this.keys));
		properties.setProperty("fault.lease", this.lease.toString());
		properties.setProperty("fault.wait", this.waitTime.toString());
		this.spring.forEach(properties::setProperty);
		try (Writer out = Files.newBufferedWriter(file)) {
			properties.store(out, "client " + this.name + " of the fault suite");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + file, ex);
		}
	}

	static ClientConfig read(Path file) {
		Properties properties = new Properties();
		try (Reader in = Files.newBufferedReader(file)) {
			properties.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + file, ex);
		}
		Map<String, String> spring = new TreeMap<>();
		for (String key : properties.stringPropertyNames()) {
			if (!key.startsWith("fault.")) {
				spring.put(key, properties.getProperty(key));
			}
		}
		String resource = required(properties, "fault.resource");
		int colon = resource.lastIndexOf(':');
		return new ClientConfig(required(properties, "fault.name"), Path.of(required(properties, "fault.history")),
				resource.substring(0, colon), Integer.parseInt(resource.substring(colon + 1)),
				Long.parseLong(required(properties, "fault.seed")),
				Integer.parseInt(required(properties, "fault.workers")),
				Integer.parseInt(required(properties, "fault.keys")),
				Duration.parse(required(properties, "fault.lease")), Duration.parse(required(properties, "fault.wait")),
				spring);
	}

	private static String required(Properties properties, String key) {
		String value = properties.getProperty(key);
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("Client configuration lacks '" + key + "'");
		}
		return value;
	}

}
