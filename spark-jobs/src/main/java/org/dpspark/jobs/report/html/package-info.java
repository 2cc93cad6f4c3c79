/**
 * Self-contained HTML pages rendered from JSON documents: the training report ({@code report.html} beside
 * {@code report.json}) and the ledger's budget dashboard ({@code dp-ledger report}). Every number or identifier a page
 * shows from its JSON sits in an element whose {@code data-json} attribute is the RFC 6901 pointer of the value, so
 * the page can be checked against the JSON; charts are drawn by JFreeChart into JFreeSVG and inlined as
 * {@code <svg>} (no script, nothing loaded from the network). Free of Spark.
 */
package org.dpspark.jobs.report.html;
