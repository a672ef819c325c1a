package dev.redlock.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Optional dependencies stay behind one class each, so that the starter runs without them.
 */
class OptionalDependencyTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.redlock");

	@Test
	void onlyBootRedisNodesShouldKnowSpringBootDataRedis() {
		noClasses().that()
			.doNotHaveFullyQualifiedName("dev.redlock.autoconfigure.BootRedisNodes")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot.data.redis..", "org.springframework.data.redis..")
			.check(this.classes);
	}

}
