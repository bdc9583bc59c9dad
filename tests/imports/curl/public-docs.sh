# Twenty curl commands as public API docs print them (the docs named above each), imported as
# one collection. Nothing here is sent: tests/imports.rs checks what each becomes against
# curl-to-postmanv2's output (public-docs.postman.txt) and what the command says.

# Stripe: create a customer
curl https://api.stripe.com/v1/customers \
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \
  -d name="Jenny Rosen" \
  --data-urlencode email="jennyrosen@example.com"

# Stripe: list charges with a limit (GET with -G)
curl -G https://api.stripe.com/v1/charges \
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \
  -d limit=3

# GitHub: get a repository
curl -L \
  -H "Accept: application/vnd.github+json" \
  -H "Authorization: Bearer <YOUR-TOKEN>" \
  -H "X-GitHub-Api-Version: 2022-11-28" \
  https://api.github.com/repos/OWNER/REPO

# GitHub: create an issue
curl -L \
  -X POST \
  -H "Accept: application/vnd.github+json" \
  -H "Authorization: Bearer <YOUR-TOKEN>" \
  -H "X-GitHub-Api-Version: 2022-11-28" \
  https://api.github.com/repos/OWNER/REPO/issues \
  -d '{"title":"Found a bug","body":"I'\''m having a problem with this.","assignees":["octocat"],"labels":["bug"]}'

# Twilio: send an SMS
curl -X POST "https://api.twilio.com/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \
--data-urlencode "Body=Hello from Twilio" \
--data-urlencode "From=+15557122661" \
--data-urlencode "To=+15558675310" \
-u $TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN

# Slack: post a message
curl -X POST -H 'Authorization: Bearer xoxb-1234-56789abcdefghijklmnop' \
  -H 'Content-type: application/json' \
  --data '{"channel":"C123ABC456","text":"Hello world"}' \
  https://slack.com/api/chat.postMessage

# OpenAI: chat completion
curl https://api.openai.com/v1/chat/completions \
  -H "Content-Type: application/json" \
  -H "Authorization: Bearer $OPENAI_API_KEY" \
  -d '{
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Say this is a test!"}],
    "temperature": 0.7
  }'

# SendGrid: send mail
curl --request POST \
  --url https://api.sendgrid.com/v3/mail/send \
  --header 'Authorization: Bearer SG.xxxxx' \
  --header 'Content-Type: application/json' \
  --data '{"personalizations":[{"to":[{"email":"john@example.com"}]}],"from":{"email":"dx@example.com"},"subject":"Hello","content":[{"type":"text/plain","value":"Heya!"}]}'

# Mailgun: send a message with form fields
curl -s --user 'api:YOUR_API_KEY' \
    https://api.mailgun.net/v3/YOUR_DOMAIN_NAME/messages \
    -F from='Excited User <mailgun@YOUR_DOMAIN_NAME>' \
    -F to=YOU@YOUR_DOMAIN_NAME \
    -F subject='Hello' \
    -F text='Testing some Mailgun awesomeness!'

# Cloudflare: list zones
curl "https://api.cloudflare.com/client/v4/zones?name=example.com&status=active" \
     -H "X-Auth-Email: user@example.com" \
     -H "X-Auth-Key: c2547eb745079dac9320b638f5e225cf483cc5cfdda41"

# DigitalOcean: create a droplet
curl -X POST -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer '$TOKEN'' \
    -d '{"name":"example.com","region":"nyc3","size":"s-1vcpu-1gb","image":"ubuntu-20-04-x64"}' \
    "https://api.digitalocean.com/v2/droplets"

# Docker Engine: list containers over TCP
curl --compressed -sS http://localhost:2375/v1.43/containers/json?all=1

# Elasticsearch: search
curl -X GET "localhost:9200/my-index/_search?pretty" -H 'Content-Type: application/json' -d'
{
  "query": { "match": { "user.id": "kimchy" } }
}
'

# Kubernetes: list pods with a token, TLS unchecked
curl -k -H "Authorization: Bearer $TOKEN" https://kubernetes.default.svc/api/v1/namespaces/default/pods

# Algolia: search an index
curl -X POST \
     -H "X-Algolia-API-Key: ${API_KEY}" \
     -H "X-Algolia-Application-Id: ${APPLICATION_ID}" \
     --data-binary '{ "params": "query=george%20clo&hitsPerPage=2" }' \
     "https://${APPLICATION_ID}-dsn.algolia.net/1/indexes/contacts/query"

# Shopify Admin: get products
curl -X GET "https://your-development-store.myshopify.com/admin/api/2024-01/products.json" \
-H "X-Shopify-Access-Token: {access_token}"

# httpbin: basic auth, user agent, referer and a cookie
curl -A "vayu-docs/1.0" -e https://httpbin.org/ -b "session=abc123; theme=dark" -u user:passwd https://httpbin.org/basic-auth/user/passwd

# JSONPlaceholder: update a post with --json
curl --json '{"id":1,"title":"foo"}' https://jsonplaceholder.typicode.com/posts/1 -X PUT

# Discord: execute a webhook
curl -H "Content-Type: application/json" -X POST -d '{"content":"Posted Via Command line"}' https://discord.com/api/webhooks/123/abc

# PagerDuty: list incidents
curl --request GET \
  --url 'https://api.pagerduty.com/incidents?statuses[]=triggered' -g \
  --header 'Accept: application/json' \
  --header 'Authorization: Token token=y_NbAkKc66ryYTWUXYEu' \
  --header 'Content-Type: application/json'
