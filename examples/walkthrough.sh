#!/usr/bin/env bash
# Walks one loan through the whole origination lifecycle to activation, against a running `npm start`:
# admin login → staff users → product → borrower sign-up → apply → document upload → KYC (queue,
# checklist, decision) → automatic risk rules → offer → acceptance → approval → agreement PDF download
# → e-signature → activation → a repayment, balances, close of business and the trial balance; then a
# second application that is withdrawn, and a token refresh.
# Usage: examples/walkthrough.sh [http://localhost:4000/graphql]
# Needs curl, node and sha256sum. Uses ADMIN_EMAIL / ADMIN_PASSWORD (defaults as in README).
set -euo pipefail
URL="${1:-http://localhost:4000/graphql}"
BASE="${URL%/graphql}"
DIR="$(cd "$(dirname "$0")" && pwd)"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin-change-me}"
PASSWORD="walkthrough-password"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

gql() { # gql <operation file> <variables json> [access token]
  node -e '
    const [file, vars] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ query: require("fs").readFileSync(file, "utf8"), variables: JSON.parse(vars) }));
  ' "$DIR/$1" "$2" | curl -s "$URL" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} --data-binary @-
}
# field <js expression on r.data>: prints it, or the errors and exits.
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(r.errors){console.error(JSON.stringify(r.errors));process.exit(1)}console.log(eval("r.data."+process.argv[1]))})' "$1"; }
# out <js expression over d = r.data>: prints it, or the errors and exits.
out() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(r.errors){console.error(JSON.stringify(r.errors));process.exit(1)}const d=r.data;console.log(eval(process.argv[1]))})' "$1"; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(eval("r."+process.argv[1]))})' "$1"; }
# The customer id is the access token's `cid` claim.
cid() { node -e 'console.log(JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url")).cid)' "$1"; }

SUFFIX="$(date +%s)"
echo "== staff"
ADMIN=$(gql origination/01-login.graphql "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | field login.accessToken)
staff() { # staff <role> → "<token> <user id>"
  local email="${1,,}-$SUFFIX@example.com"
  gql origination/03-create-staff-user.graphql "{\"input\":{\"email\":\"$email\",\"password\":\"$PASSWORD\",\"roles\":[\"$1\"]}}" "$ADMIN" | field 'createStaffUser.email' >/dev/null
  gql origination/01-login.graphql "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}" | out 'd.login.accessToken + " " + d.login.user.id'
}
read -r OFFICER OFFICER_ID < <(staff LOAN_OFFICER)
read -r KYC KYC_ID < <(staff KYC_OFFICER)
read -r MANAGER MANAGER_ID < <(staff MANAGER)
echo "loan officer $OFFICER_ID, KYC officer $KYC_ID, manager $MANAGER_ID"

PRODUCT=$(gql 02-create-loan-product.graphql "{\"input\":{\"name\":\"Personal loan $SUFFIX\",\"currencyCode\":\"USD\",\"minPrincipal\":\"500.00\",\"maxPrincipal\":\"50000.00\",\"minInterestRate\":\"5\",\"maxInterestRate\":\"30\",\"minNumberOfRepayments\":3,\"maxNumberOfRepayments\":60,\"repaymentEvery\":1,\"repaymentFrequencyType\":\"MONTHS\"}}" "$ADMIN" | field createLoanProduct.id)
echo "product      $PRODUCT"

echo "== borrower"
REGISTERED=$(gql origination/04-register-borrower.graphql "{\"input\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada+$SUFFIX@example.com\",\"password\":\"$PASSWORD\"}}")
ADA=$(echo "$REGISTERED" | field register.accessToken)
ADA_REFRESH=$(echo "$REGISTERED" | field register.refreshToken)
CUSTOMER=$(cid "$ADA")
echo "customer     $CUSTOMER"
gql origination/05-update-customer-profile.graphql "{\"customerId\":\"$CUSTOMER\",\"input\":{\"monthlyIncome\":\"5000\",\"monthlyObligations\":\"500\",\"employmentStatus\":\"EMPLOYED\",\"employmentYears\":5,\"address\":\"12 St James's Square, London\"}}" "$ADA" | field updateCustomerProfile.id >/dev/null

APPLIED=$(gql 03-apply-for-loan.graphql "{\"input\":{\"customerId\":\"$CUSTOMER\",\"productId\":\"$PRODUCT\",\"principal\":\"10000.00\",\"currencyCode\":\"USD\",\"annualInterestRate\":\"12.5\",\"numberOfRepayments\":12}}" "$ADA")
LOAN=$(echo "$APPLIED" | field applyForLoan.id)
echo "loan         $LOAN ($(echo "$APPLIED" | field applyForLoan.stage))"
echo "             Temporal UI: $(echo "$APPLIED" | field applyForLoan.workflow.url)"

echo "== documents (POST /documents, multipart)"
printf '%%PDF-1.4\n%% passport scan of Ada Lovelace\n%%%%EOF\n' > "$TMP/passport.pdf"
UPLOADED=$(curl -s "$BASE/documents" -H "authorization: Bearer $ADA" -F "loanId=$LOAN" -F type=ID_DOCUMENT -F "file=@$TMP/passport.pdf;type=application/pdf")
echo "uploaded     $(echo "$UPLOADED" | json 'document.type + " " + r.document.fileName + " sha256 " + r.document.sha256')"
echo "local sha256 $(sha256sum "$TMP/passport.pdf" | cut -d' ' -f1)"
echo "a text file claimed as a PDF is refused: $(printf 'hello' > "$TMP/fake.pdf"; curl -s -o /dev/null -w '%{http_code}' "$BASE/documents" -H "authorization: Bearer $ADA" -F "loanId=$LOAN" -F type=OTHER -F "file=@$TMP/fake.pdf;type=application/pdf")"
printf '\x89PNG\r\n\x1a\n(an old utility bill)' > "$TMP/bill.png"
BILL=$(curl -s "$BASE/documents" -H "authorization: Bearer $ADA" -F "loanId=$LOAN" -F type=PROOF_OF_ADDRESS -F "file=@$TMP/bill.png;type=image/png" | json document.id)
gql origination/07-delete-document.graphql "{\"id\":\"$BILL\"}" "$ADA" | out '"deleted      " + d.deleteDocument.type + " at " + d.deleteDocument.deletedAt'
gql origination/06-documents.graphql "{\"loanId\":\"$LOAN\"}" "$ADA" | field 'documents.map(d => d.type + " " + d.size + " bytes " + d.url).join("\n")'

echo "== KYC"
gql origination/08-submit-application.graphql "{\"loanId\":\"$LOAN\"}" "$ADA" | field 'submitApplication.stage'
gql origination/09-assign-kyc-reviewer.graphql "{\"loanId\":\"$LOAN\",\"reviewerId\":\"$KYC_ID\"}" "$MANAGER" | out '"reviewer " + d.assignKycReviewer.origination.kycReviewerId'
gql origination/10-kyc-queue.graphql '{"filter":{"assignedToMe":true}}' "$KYC" | out '"KYC queue (assigned to me): " + d.kycQueue.edges.map(e => e.node.id + " with " + e.node.documents.length + " document(s)").join(", ")'
gql origination/11-complete-kyc-checklist.graphql "{\"loanId\":\"$LOAN\",\"items\":[{\"item\":\"IDENTITY_VERIFIED\",\"checked\":true},{\"item\":\"ADDRESS_VERIFIED\",\"checked\":true},{\"item\":\"INCOME_VERIFIED\",\"checked\":true},{\"item\":\"SANCTIONS_SCREENED\",\"checked\":true}]}" "$KYC" | field 'completeKycChecklist.origination.kycChecklist.map(i => i.item).join(", ")'
gql origination/12-decide-kyc.graphql "{\"loanId\":\"$LOAN\",\"approve\":true,\"reason\":\"documents in order\"}" "$MANAGER" | out '"KYC approved; risk " + JSON.stringify(d.decideKyc.origination.risk) + " → " + d.decideKyc.stage'
echo "documents are closed after the KYC decision: $(curl -s -o /dev/null -w '%{http_code}' "$BASE/documents" -H "authorization: Bearer $ADA" -F "loanId=$LOAN" -F type=OTHER -F "file=@$TMP/passport.pdf;type=application/pdf")"

echo "== offer, approval, agreement"
gql origination/14-send-offer.graphql "{\"loanId\":\"$LOAN\",\"principal\":\"9500.00\",\"annualInterestRate\":\"11.5\",\"numberOfRepayments\":12}" "$OFFICER" | out '"offer " + JSON.stringify(d.sendOffer.origination.offer)'
gql origination/15-accept-offer.graphql "{\"loanId\":\"$LOAN\",\"offerNumber\":1}" "$ADA" | out '"accepted → " + d.acceptOffer.stage + ", pending " + d.acceptOffer.origination.pendingApprovals'
APPROVED=$(gql origination/16-approve-loan.graphql "{\"loanId\":\"$LOAN\",\"level\":\"INTERNAL\"}" "$OFFICER")
echo "approved → $(echo "$APPROVED" | field approveLoan.stage)"
AGREEMENT_ID=$(echo "$APPROVED" | field approveLoan.origination.agreement.documentId)
curl -s "$BASE/documents/$AGREEMENT_ID" -H "authorization: Bearer $ADA" -o "$TMP/agreement.pdf"
HASH=$(sha256sum "$TMP/agreement.pdf" | cut -d' ' -f1)
echo "agreement    $(head -c 8 "$TMP/agreement.pdf") $(wc -c < "$TMP/agreement.pdf") bytes, sha256 $HASH (workflow: $(echo "$APPROVED" | field approveLoan.origination.agreement.documentHash))"
gql origination/17-sign-agreement.graphql "{\"loanId\":\"$LOAN\",\"signerName\":\"Ada Lovelace\",\"documentHash\":\"$HASH\"}" "$ADA" | out '"signed via " + d.signAgreement.origination.agreement.signedVia + " → " + d.signAgreement.stage'

echo "== activation"
BUSINESS_DATE=$(gql servicing/10-business-date.graphql '{}' "$OFFICER" | field businessDate)
ACTIVE=$(gql origination/18-activate-loan.graphql "{\"loanId\":\"$LOAN\",\"disbursementDate\":\"$BUSINESS_DATE\"}" "$OFFICER")
echo "$ACTIVE" | out '"activated → " + d.activateLoan.stage + "/" + d.activateLoan.status + "; " + d.activateLoan.transactions.map(t => t.type + " " + t.amount + " on " + t.transactionDate).join(", ")'
echo "$ACTIVE" | field 'activateLoan.installments.map(i => "  #" + i.installmentNumber + " " + i.dueDate + " principal " + i.principalDue + " interest " + i.interestDue).join("\n")'
gql 04-loan.graphql "{\"id\":\"$LOAN\"}" "$ADA" | field 'loan.timeline.map(e => e.action + " (" + e.actorRole + ")").join(" → ")'

echo "== servicing (business date $BUSINESS_DATE)"
AMOUNT="500.00"  # part of the first installment: interest first, then principal
REPAY="{\"loanId\":\"$LOAN\",\"amount\":\"$AMOUNT\",\"key\":\"walkthrough-$LOAN-1\",\"paymentType\":\"BANK_TRANSFER\"}"
gql servicing/01-record-repayment.graphql "$REPAY" "$OFFICER" | out '"repayment " + d.recordRepayment.amount + " (transaction " + d.recordRepayment.id + "): principal " + d.recordRepayment.principalPortion + ", interest " + d.recordRepayment.interestPortion'
echo "the same request resent with its idempotency key returns transaction $(gql servicing/01-record-repayment.graphql "$REPAY" "$OFFICER" | field recordRepayment.id)"
echo "that key with another amount: $(gql servicing/01-record-repayment.graphql "{\"loanId\":\"$LOAN\",\"amount\":\"1.00\",\"key\":\"walkthrough-$LOAN-1\",\"paymentType\":\"BANK_TRANSFER\"}" "$OFFICER" | json 'errors[0].extensions.code')"
echo "a negative amount: $(gql servicing/01-record-repayment.graphql "{\"loanId\":\"$LOAN\",\"amount\":\"-5\",\"key\":\"walkthrough-bad\"}" "$OFFICER" | json 'errors[0].extensions.code + " " + r.errors[0].message')"
gql servicing/02-loan-balances.graphql "{\"id\":\"$LOAN\"}" "$ADA" | out '"owed " + d.loan.balances.totalOutstanding + " (principal " + d.loan.balances.principalOutstanding + "); payoff today " + d.loan.payoffQuote.total + "; next #" + d.loan.balances.nextInstallmentNumber + " due " + d.loan.balances.nextInstallmentDueDate'
COB=$(gql servicing/07-advance-business-date.graphql '{}' "$ADMIN")
echo "business date → $(echo "$COB" | field advanceBusinessDate.businessDate); close of business $(echo "$COB" | field advanceBusinessDate.cob.workflowId): $(echo "$COB" | field advanceBusinessDate.cob.url)"
for _ in $(seq 1 60); do
  RUN=$(gql servicing/09-cob-status.graphql '{}' "$MANAGER" | out 'd.cobRuns.length ? d.cobRuns[0].status + " " + d.cobRuns[0].businessDate + ", " + d.cobRuns[0].loansProcessed + " loans" : "none"')
  case "$RUN" in COMPLETED*) break ;; esac
  sleep 1
done
echo "COB run    $RUN"
gql servicing/06-ledger.graphql "{\"from\":\"$BUSINESS_DATE\",\"to\":\"$BUSINESS_DATE\"}" "$MANAGER" | out '"trial balance: debits " + d.trialBalance.totalDebits + " = credits " + d.trialBalance.totalCredits + "\n" + d.trialBalance.rows.filter(r => r.balance !== "0").map(r => "  " + r.code + " " + r.name + " " + r.balance).join("\n")'

echo "== a second application, withdrawn"
LOAN2=$(gql 03-apply-for-loan.graphql "{\"input\":{\"customerId\":\"$CUSTOMER\",\"productId\":\"$PRODUCT\",\"principal\":\"2000.00\",\"currencyCode\":\"USD\",\"annualInterestRate\":\"12.5\",\"numberOfRepayments\":6}}" "$ADA" | field applyForLoan.id)
echo "bad input is rejected and names the field:"
gql 03-apply-for-loan.graphql "{\"input\":{\"customerId\":\"$CUSTOMER\",\"productId\":\"$PRODUCT\",\"principal\":\"99.00\",\"currencyCode\":\"USD\",\"annualInterestRate\":\"12.5\",\"numberOfRepayments\":12}}" "$ADA"; echo
gql 05-withdraw-application.graphql "{\"loanId\":\"$LOAN2\",\"reason\":\"changed my mind\",\"clientMutationId\":\"withdraw-$LOAN2\"}" "$ADA" | field 'withdrawApplication.timeline.map(e => e.action + " " + (e.fromStage ?? "-") + " -> " + e.toStage).join("; ")'
echo "withdrawing again with the same clientMutationId returns the first result:"
gql 05-withdraw-application.graphql "{\"loanId\":\"$LOAN2\",\"reason\":\"changed my mind\",\"clientMutationId\":\"withdraw-$LOAN2\"}" "$ADA" | field 'withdrawApplication.status'
echo "withdrawing again as a new request is INVALID_STAGE:"
gql 05-withdraw-application.graphql "{\"loanId\":\"$LOAN2\"}" "$ADA"; echo
gql 06-loans.graphql "{\"filter\":{\"customerId\":\"$CUSTOMER\"},\"first\":10}" "$ADA" | field 'loans.edges.map(e => e.node.id + " " + e.node.status).join("\n")'

echo "== tokens"
echo "refreshed: $(gql origination/02-refresh-token.graphql "{\"refreshToken\":\"$ADA_REFRESH\"}" | field 'refreshToken.user.roles.join(",")')"
echo "the spent refresh token again: $(gql origination/02-refresh-token.graphql "{\"refreshToken\":\"$ADA_REFRESH\"}" | json 'errors[0].extensions.code')"
