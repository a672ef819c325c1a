package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.Function;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.StringUtils;

/**
 * Reads the text attributes of a lock annotation: resolves their {@code ${…}} placeholders and
 * converts durations, with errors that name the method and the attribute.
 */
final class AnnotationValues {

	private final Function<String, String> placeholders;

	AnnotationValues(Function<String, String> placeholders) {
		this.placeholders = placeholders;
	}

	/**
	 * The value with its placeholders resolved.
	 * @param method the annotated method, for messages
	 * @param attribute the attribute's name, for messages
	 * @param value the value as written
	 * @return the resolved value; a blank value as it is
	 * @throws InvalidLockAnnotationException if a placeholder cannot be resolved
	 */
	String resolve(Method method, String attribute, String value) {
		if (!StringUtils.hasText(value)) {
			return value;
		}
		String resolved;
		try {
			resolved = this.placeholders.apply(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLockAnnotationException(method, attribute,
					attribute + " '" + value + "' has a placeholder that cannot be resolved: " + ex.getMessage(), ex);
		}
		if (resolved != null && resolved.contains("${")) {
			throw new InvalidLockAnnotationException(method, attribute, attribute + " '" + value
					+ "' has a placeholder that cannot be resolved (resolved to '" + resolved + "'); define the "
					+ "property or give a default, as in ${orders.lock-ttl:30s}", null);
		}
		return resolved;
	}

	/**
	 * The value, placeholders resolved, as a duration ({@code 30s}, {@code 500ms}, {@code PT1M}, …).
	 * @param method the annotated method, for messages
	 * @param attribute the attribute's name, for messages
	 * @param value the value as written
	 * @param fallback the duration when the value is blank
	 * @return the duration, or {@code fallback}
	 * @throws InvalidLockAnnotationException if a placeholder cannot be resolved or the value is no
	 * duration
	 */
	Duration duration(Method method, String attribute, String value, Duration fallback) {
		String resolved = resolve(method, attribute, value);
		if (!StringUtils.hasText(resolved)) {
			return fallback;
		}
		try {
			return DurationStyle.detectAndParse(resolved.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLockAnnotationException(method, attribute, attribute + " '" + value + "'"
					+ (resolved.equals(value) ? "" : " (resolved to '" + resolved + "')")
					+ " is not a duration; use a value such as \"30s\", \"500ms\" or \"PT1M\"", ex);
		}
	}

}
