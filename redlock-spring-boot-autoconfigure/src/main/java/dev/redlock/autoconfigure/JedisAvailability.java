package dev.redlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Properties;

import org.springframework.util.ClassUtils;

/**
 * Checks that the Jedis the engine is built on is there, before any class that refers to Jedis is
 * loaded: without it (or with a Jedis older than 7.2, which lacks {@code RedisClient}) the startup
 * fails with a report naming the Jedis found, instead of the locks silently not being taken.
 * Refers to no Jedis type itself.
 */
final class JedisAvailability {

	/** The Jedis 7 client the node connections are built on. */
	static final String CLIENT_CLASS = "redis.clients.jedis.RedisClient";

	/** A class every Jedis generation has. */
	static final String ANY_JEDIS_CLASS = "redis.clients.jedis.Jedis";

	/** Where the Jedis jar records its version. */
	static final String POM_PROPERTIES = "META-INF/maven/redis.clients/jedis/pom.properties";

	private JedisAvailability() {
	}

	/**
	 * Fails unless Jedis 7 is on the class path of {@code classLoader}.
	 * @param classLoader the application's class loader
	 * @throws RedlockStartupException naming the Jedis found, or its absence
	 */
	static void require(ClassLoader classLoader) {
		if (ClassUtils.isPresent(CLIENT_CLASS, classLoader)) {
			return;
		}
		String version = version(classLoader);
		boolean present = version != null || ClassUtils.isPresent(ANY_JEDIS_CLASS, classLoader);
		String switchOff = " To run @DistributedLock methods and LockTemplate callbacks without any lock instead, "
				+ "set redlock.enabled=false.";
		if (!present) {
			throw new RedlockStartupException("Jedis is not on the classpath; the Redlock starter needs Jedis 7.x "
					+ "(redis.clients:jedis, class " + CLIENT_CLASS + ") to reach the Redis nodes",
					"Depend on dev.redlock:redlock-spring-boot-starter, which brings Jedis, or add redis.clients:jedis "
							+ "7.x yourself." + switchOff,
					null);
		}
		String found = (version != null) ? "Jedis " + version : "A Jedis older than 7.2";
		throw new RedlockStartupException(found + " is on the classpath; the Redlock starter needs Jedis 7.x (class "
				+ CLIENT_CLASS + " is missing)",
				"Use Jedis 7.x, 7.2 or newer (RedisClient came with 7.2): on Spring Boot 4.1 remove any jedis.version "
						+ "override (Spring Boot 4.1 manages such a Jedis); on Spring Boot 4.0, which manages Jedis 7.0.0, "
						+ "set <jedis.version> to 7.4.1 or a newer 7.x; check with 'mvn dependency:tree -Dincludes="
						+ "redis.clients:jedis' which dependency brings the old one." + switchOff,
				null);
	}

	/**
	 * The version of the Jedis jar on the class path: from its Maven descriptor, else from the
	 * jar's manifest.
	 * @param classLoader the class loader to look in
	 * @return the version, or {@code null} if no Jedis, or one that does not tell
	 */
	static String version(ClassLoader classLoader) {
		URL descriptor = (classLoader != null) ? classLoader.getResource(POM_PROPERTIES) : null;
		if (descriptor != null) {
			try (InputStream in = descriptor.openStream()) {
				Properties properties = new Properties();
				properties.load(in);
				String version = properties.getProperty("version");
				if (version != null && !version.isBlank()) {
					return version.trim();
				}
			}
			catch (IOException ex) {
				// fall back to the manifest
			}
		}
		try {
			Package jedis = ClassUtils.forName(ANY_JEDIS_CLASS, classLoader).getPackage();
			return (jedis != null) ? jedis.getImplementationVersion() : null;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

}
