#!/usr/bin/env bash
# Walks one loan through what the platform does today, against a running `npm start`:
# register a customer, create a product, apply, look the loan up, withdraw it.
# Usage: examples/walkthrough.sh [http://localhost:4000/graphql]
set -euo pipefail
URL="${1:-http://localhost:4000/graphql}"
DIR="$(cd "$(dirname "$0")" && pwd)"

gql() { # gql <operation file> <variables json>
  node -e '
    const [file, vars] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ query: require("fs").readFileSync(file, "utf8"), variables: JSON.parse(vars) }));
  ' "$DIR/$1" "$2" | curl -sf "$URL" -H 'content-type: application/json' --data-binary @-
}
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(r.errors){console.error(JSON.stringify(r.errors));process.exit(1)}console.log(eval("r.data."+process.argv[1]))})' "$1"; }

SUFFIX=$(date +%s)
CUSTOMER=$(gql 01-register-customer.graphql "{\"input\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada+$SUFFIX@example.com\"}}" | field registerCustomer.id)
echo "customer $CUSTOMER"
PRODUCT=$(gql 02-create-loan-product.graphql "{\"input\":{\"name\":\"Personal loan $SUFFIX\",\"currencyCode\":\"USD\",\"minPrincipal\":\"500.00\",\"maxPrincipal\":\"50000.00\",\"minInterestRate\":\"5\",\"maxInterestRate\":\"30\",\"minNumberOfRepayments\":3,\"maxNumberOfRepayments\":60,\"repaymentEvery\":1,\"repaymentFrequencyType\":\"MONTHS\"}}" | field createLoanProduct.id)
echo "product  $PRODUCT"
APPLIED=$(gql 03-apply-for-loan.graphql "{\"input\":{\"customerId\":\"$CUSTOMER\",\"productId\":\"$PRODUCT\",\"principal\":\"10000.00\",\"currencyCode\":\"USD\",\"annualInterestRate\":\"12.5\",\"numberOfRepayments\":12}}")
LOAN=$(echo "$APPLIED" | field applyForLoan.id)
echo "loan     $LOAN (SUBMITTED)"
echo "         Temporal UI: $(echo "$APPLIED" | field applyForLoan.workflow.url)"
echo "         search:      $(echo "$APPLIED" | field applyForLoan.workflow.searchUrl)"
echo "bad input is rejected and names the field:"
gql 03-apply-for-loan.graphql "{\"input\":{\"customerId\":\"$CUSTOMER\",\"productId\":\"$PRODUCT\",\"principal\":\"99.00\",\"currencyCode\":\"USD\",\"annualInterestRate\":\"12.5\",\"numberOfRepayments\":12}}"; echo
gql 04-loan.graphql "{\"id\":\"$LOAN\"}" | field 'loan.status'
gql 05-withdraw-application.graphql "{\"input\":{\"loanId\":\"$LOAN\",\"reason\":\"changed my mind\"}}" | field 'withdrawApplication.timeline.map(e => e.action + " " + (e.fromStage ?? "-") + " -> " + e.toStage).join("; ")'
echo "withdrawing again is INVALID_STAGE:"
gql 05-withdraw-application.graphql "{\"input\":{\"loanId\":\"$LOAN\"}}"; echo
gql 06-loans.graphql "{\"filter\":{\"customerId\":\"$CUSTOMER\"},\"first\":10}" | field 'loans.edges.map(e => e.node.id + " " + e.node.status).join("\n")'
