package org.dpspark.datasets;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The datasets module's packages depend on each other without cycles. */
class ArchitectureTest {

    @Test
    void packages_areFreeOfCycles() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dpspark.datasets");
        slices().matching("org.dpspark.(**)").should().beFreeOfCycles().check(classes);
    }
}
