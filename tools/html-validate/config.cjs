/* The rule set the test suite checks every rendered page with
 * (tests/test_html_conformance.py): html-validate's recommended rules, with only
 * these changes, each for a deliberate choice of the site. */
module.exports = {
  root: true,
  extends: ["html-validate:recommended"],
  rules: {
    // Our pages start with "<!doctype html>", as the HTML standard writes it;
    // the rule's default asks for upper case.
    "doctype-style": ["error", { style: "lowercase" }],
    // The markup is Jinja's output: the blank lines a template tag leaves behind
    // change nothing for anyone reading the page, and the templates stay readable.
    "no-trailing-whitespace": "off",
    // A group of checkboxes under one name is how a form asks "which of these"
    // (the councils a VHS works with): the server reads them as a list.
    "form-dup-name": ["error", { shared: ["radio", "checkbox", "button", "reset", "submit"] }],
    // A page's title names what it shows (a seminar, a programme), so its length is
    // that name's; cutting names short would make titles less telling.
    "long-title": "off",
  },
};
