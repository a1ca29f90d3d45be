/**
 * AMQP_URLS for an external program (PROTOCOL.md): every node's URL in node order, comma-separated,
 * with the placed node's replaced by the instance's tap URL (its AMQP_URL). The frame tap fronts
 * the placed node only: connections a program makes to the other nodes after failing over are
 * not observed by it.
 */
export function amqpUrlsEnv(
  launch: { readonly amqpUrl: string; readonly amqpUrls?: readonly string[] },
  tappedUrl: string,
): { AMQP_URLS: string } {
  const urls = launch.amqpUrls ?? [launch.amqpUrl];
  const tapped = urls.includes(launch.amqpUrl)
    ? urls.map((url) => (url === launch.amqpUrl ? tappedUrl : url))
    : [tappedUrl, ...urls];
  return { AMQP_URLS: tapped.join(',') };
}
