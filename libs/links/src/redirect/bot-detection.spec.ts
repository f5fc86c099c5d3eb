import { isBotRequest } from './bot-detection';

describe('isBotRequest', () => {
  const chrome = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

  it.each([
    ['a desktop browser', 'GET', chrome, false],
    ['a phone browser', 'GET', iphone, false],
    ['an in-app webview', 'GET', `${iphone} Warpcast/1.0`, false],
    ['HEAD from a browser', 'HEAD', chrome, true],
    ['no user agent', 'GET', undefined, true],
    ['an empty user agent', 'GET', '', true],
    ['Twitterbot', 'GET', 'Twitterbot/1.0', true],
    ['Slack unfurler', 'GET', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', true],
    ['Discord', 'GET', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', true],
    ['Facebook', 'GET', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', true],
    ['Googlebot', 'GET', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', true],
    ['Telegram', 'GET', 'TelegramBot (like TwitterBot)', true],
    ['WhatsApp', 'GET', 'WhatsApp/2.23.20.0', true],
    ['a Farcaster frame unfurler', 'GET', 'FarcasterBot/1.0 (unfurl)', true],
    ['python requests', 'GET', 'python-requests/2.31', true],
    ['headless Chrome', 'GET', 'Mozilla/5.0 HeadlessChrome/120.0', true],
  ])('%s -> %s', (_name, method, userAgent, expected) => {
    expect(isBotRequest(method, userAgent)).toBe(expected);
  });

});
