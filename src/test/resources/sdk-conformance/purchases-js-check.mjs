// Drives RevenueCat's own web SDK (@revenuecat/purchases-js) against a Substate server and prints what it parsed as
// one JSON line. Run by PurchasesJsConformanceTest: SUBSTATE_URL, API_KEY, APP_USER_ID, NEW_APP_USER_ID.
import { Purchases } from "@revenuecat/purchases-js";

const env = process.env;
const summary = (info) => ({
  originalAppUserId: info.originalAppUserId,
  activeEntitlements: Object.keys(info.entitlements.active),
  entitlements: Object.fromEntries(Object.entries(info.entitlements.all).map(([id, e]) => [id, {
    isActive: e.isActive, willRenew: e.willRenew, store: e.store, isSandbox: e.isSandbox,
    productIdentifier: e.productIdentifier, periodType: e.periodType,
    expirationDate: e.expirationDate ? e.expirationDate.toISOString() : null,
  }])),
  activeSubscriptions: [...info.activeSubscriptions],
  managementURL: info.managementURL,
  firstSeen: info.firstSeenDate.toISOString(),
  prices: Object.fromEntries(Object.entries(info.subscriptionsByProductIdentifier)
    .map(([id, s]) => [id, s.price ? { amountMicros: s.price.amountMicros, currency: s.price.currency } : null])),
});

const result = {};
try {
  const purchases = Purchases.configure({
    apiKey: env.API_KEY,
    appUserId: env.APP_USER_ID,
    httpConfig: { proxyURL: env.SUBSTATE_URL },
    flags: { collectAnalyticsEvents: false, autoCollectUTMAsMetadata: false },
  });
  result.customerInfo = summary(await purchases.getCustomerInfo());
  await purchases.setAttributes({ $email: "sdk@example.com", nickname: "sdk-user" });
  result.attributesSet = true;
  const identified = await purchases.identifyUser(env.NEW_APP_USER_ID);
  result.identify = { wasCreated: identified.wasCreated, customerInfo: summary(identified.customerInfo) };
  result.appUserIdAfterIdentify = purchases.getAppUserId();
} catch (e) {
  result.error = { name: e?.name, message: e?.message, code: e?.errorCode ?? e?.code ?? null,
    underlying: e?.underlyingErrorMessage ?? null };
}
console.log(JSON.stringify(result));
