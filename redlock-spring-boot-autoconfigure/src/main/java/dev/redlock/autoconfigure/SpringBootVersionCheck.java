package dev.redlock.autoconfigure;

import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Stops the startup with a clear report when the application runs on a Spring Boot older than
 * 4.0, whose classes the starter cannot load (health, endpoint and auto-configuration packages
 * moved in 4.0). Registered in {@code META-INF/spring.factories}, which Spring Boot 3 reads as
 * well, and run before any auto-configuration; it uses only classes both generations have.
 */
final class SpringBootVersionCheck implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

	/** A class that Spring Boot 4.0 moved into this package; absent from every Spring Boot 3. */
	static final String BOOT_4_CLASS = "org.springframework.boot.EnvironmentPostProcessor";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		check(SpringBootVersion.getVersion(), ClassUtils.isPresent(BOOT_4_CLASS, getClass().getClassLoader()));
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Fails unless the version, or where the jar does not tell it the classes present, show Spring
	 * Boot 4.0 or newer.
	 * @param version Spring Boot's version from its jar, or {@code null} if unknown
	 * @param boot4ClassPresent whether {@link #BOOT_4_CLASS} is on the class path
	 * @throws RedlockStartupException naming the version found
	 */
	static void check(String version, boolean boot4ClassPresent) {
		Integer major = major(version);
		boolean supported = (major != null) ? major >= 4 : boot4ClassPresent;
		if (!supported) {
			String found = (version != null) ? "Spring Boot " + version : "A Spring Boot older than 4.0";
			throw new RedlockStartupException(found + " is on the classpath; the Redlock starter "
					+ "(dev.redlock:redlock-spring-boot-autoconfigure) needs Spring Boot 4.0 or newer",
					"Upgrade the application to Spring Boot 4.0 or newer (spring-boot-starter-parent or "
							+ "spring-boot-dependencies 4.x), or remove the Redlock starter.",
					null);
		}
	}

	private static Integer major(String version) {
		if (version == null) {
			return null;
		}
		int end = 0;
		while (end < version.length() && Character.isDigit(version.charAt(end))) {
			end++;
		}
		return (end > 0 && end < 10) ? Integer.valueOf(version.substring(0, end)) : null;
	}

}
