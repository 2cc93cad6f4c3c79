package org.dpspark.datasets.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViolationTest {

    @Test
    void message_severalViolations_oneLineInOrder() {
        DatasetValidationException e = new DatasetValidationException(List.of(
                new Violation("age", "non-numeric values", 3, 17),
                new Violation("income", "labels outside {0, 1}", 2, 5)));
        assertEquals("input validation failed: column 'age': 3 non-numeric values (first at row 17); "
                + "column 'income': 2 labels outside {0, 1} (first at row 5)", e.getMessage());
        assertEquals(2, e.violations().size());
    }

    @Test
    void describe_recordAndSchemaLevel_withoutCountsWhenZero() {
        assertEquals("2 malformed records (wrong number of fields) (first at row 4)",
                new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 2, 4).describe());
        assertEquals("input has no rows", new Violation(Violation.RECORD, DatasetValidator.NO_ROWS, 0, 0).describe());
        assertEquals("column 'age': missing from the input",
                new Violation("age", "missing from the input", 0, 0).describe());
    }

    @Test
    void redacted_severalViolations_kindAndColumnOnly_fullViolationsKept() {
        DatasetValidationException full = new DatasetValidationException("--input", List.of(
                new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 2, 4),
                new Violation("age", "non-numeric values", 3, 17),
                new Violation("income", "labels outside {0, 1}", 2, 5)));
        DatasetValidationException redacted = full.redacted();
        assertEquals("--input: input validation failed (redacted: counts and row numbers withheld): "
                + "malformed records (wrong number of fields); column 'age': non-numeric values; "
                + "column 'income': labels outside {0, 1}", redacted.getMessage());
        assertEquals(full.violations(), redacted.violations());
        assertTrue(redacted.isRedacted());
        assertFalse(full.isRedacted());
        assertTrue(full.getMessage().contains("3 non-numeric values (first at row 17)"), full.getMessage());
        assertSame(redacted, redacted.redacted());
    }

    @Test
    void about_redacted_staysRedacted() {
        DatasetValidationException e = new DatasetValidationException(List.of(new Violation("age", "NaN values", 1, 9)))
                .redacted().about("--eval-input");
        assertEquals("--eval-input: input validation failed (redacted: counts and row numbers withheld): "
                + "column 'age': NaN values", e.getMessage());
        assertEquals("column 'age': 1 NaN values (first at row 9)", e.violations().get(0).describe());
        assertEquals("column 'age': NaN values", e.violations().get(0).describe(true));
    }

    @Test
    void constructor_inconsistentCountAndRow_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatasetValidationException(List.of()));
    }
}
