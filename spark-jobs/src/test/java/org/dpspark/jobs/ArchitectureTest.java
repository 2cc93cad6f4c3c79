package org.dpspark.jobs;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark side's structure, as ARCHITECTURE.md draws it: no package cycles, and one training run. Only the run
 * package reserves and commits privacy budget; every entry point (dp-train, the MLlib estimators) goes through it.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dpspark.jobs");
    }

    @Test
    void packages_areFreeOfCycles() {
        slices().matching("org.dpspark.jobs.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyTheRun_reservesAndCommitsBudget() {
        noClasses().that().resideOutsideOfPackage("org.dpspark.jobs.run")
                .should().callMethodWhere(target(owner(assignableTo(PrivacyLedger.class)))
                        .and(target(nameMatching("reserve|commit"))))
                .because("the one training run is the only code that reserves and commits (ARCHITECTURE.md)")
                .check(classes);
    }
}
