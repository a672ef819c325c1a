package dev.redlock.test;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

/**
 * An assumption that only a developer's machine may miss: when it does not hold, the test is
 * skipped there, but fails on CI (the environment variable {@code CI=true}), where the machine is
 * set up for every test and a skip would hide that a test never ran.
 *
 * <pre>{@code
 * RequiredOnCi.assume(FakeClock.library().isPresent(), "libfaketime is not installed");
 * }</pre>
 */
public final class RequiredOnCi {

	private RequiredOnCi() {
	}

	/**
	 * Whether the tests run on CI.
	 * @return {@code true} if {@code CI=true}
	 */
	public static boolean isCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	/**
	 * Skips the test when {@code condition} is false, or fails it on CI.
	 * @param condition what the test needs
	 * @param missing what is missing when it is false, for the skip or failure message
	 */
	public static void assume(boolean condition, String missing) {
		if (condition) {
			return;
		}
		if (isCi()) {
			throw new AssertionFailedError("Required on CI (CI=true), but " + missing);
		}
		Assumptions.abort(missing + " (skipped here; with CI=true this fails)");
	}

}
