// The playground's page script: presets, tool handlers and logs. Plain JS, as a site would write it.
const PRESETS = {
  weather: {
    voice: 'maya',
    persona: 'You are a weather assistant. When asked about the weather, call get_weather for the city.',
    tools: [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  },
  concierge: {
    voice: 'grace',
    speaksFirst: true,
    persona: 'You are the concierge of the Hotel Hydra. Greet the guest warmly and offer help with their stay.',
    tools: [],
  },
  bank: {
    voice: 'alex',
    persona: 'You are a bank agent. For account questions call get_balance and list_transactions, then summarise.',
    tools: [
      {
        type: 'function',
        name: 'get_balance',
        description: 'Balance of an account',
        parameters: { type: 'object', properties: { account: { type: 'string', enum: ['checking', 'savings'] } }, required: ['account'] },
      },
      {
        type: 'function',
        name: 'list_transactions',
        description: 'Latest transactions of an account',
        parameters: {
          type: 'object',
          properties: { account: { type: 'string', enum: ['checking', 'savings'] }, limit: { type: 'integer', minimum: 1, maximum: 10 } },
          required: ['account', 'limit'],
        },
      },
    ],
  },
  parrot: { voice: 'kai', persona: '[parrot] Repeat the user.', tools: [] },
};

// Tool handlers: plain functions of the parsed arguments. Async ones return promises.
const HANDLERS = {
  get_weather: async ({ city }) => ({ city, condition: 'sunny', temperature_c: 21 }),
  get_balance: ({ account }) => ({ account, balance: account === 'savings' ? 5120.4 : 812.33, currency: 'EUR' }),
  list_transactions: ({ account, limit }) =>
    Array.from({ length: Math.min(limit ?? 3, 3) }, (_, i) => ({ account, amount: -(12.5 * (i + 1)), merchant: ['Bakery', 'Metro', 'Books'][i] })),
};

const agent = document.getElementById('agent');
const events = document.getElementById('events');
const wire = document.getElementById('wire');
const showAudio = document.getElementById('show-audio');

function applyPreset(name) {
  const preset = PRESETS[name];
  agent.stop();
  agent.voice = preset.voice;
  agent.persona = preset.persona;
  agent.speaksFirst = Boolean(preset.speaksFirst);
  agent.tools = preset.tools;
  document.getElementById('cfg-voice').textContent = preset.voice;
  document.getElementById('cfg-persona').textContent = preset.persona;
  document.getElementById('cfg-tools').textContent = preset.tools.map((t) => t.name).join(', ') || 'none';
}

for (const radio of document.querySelectorAll('input[name=preset]')) {
  radio.addEventListener('change', () => radio.checked && applyPreset(radio.value));
}
applyPreset('weather');
document.getElementById('cancel').addEventListener('click', () => agent.cancelResponse());

// Widget options: plain attributes and properties, applied live (the conversation goes on).
const option = (id) => document.getElementById(id);
option('layout').addEventListener('change', (e) => {
  const [layout, position] = e.target.value.split(' ');
  agent.layout = layout;
  agent.position = position ?? null;
  agent.open = layout === 'floating';
});
option('lang').addEventListener('change', (e) => (e.target.value ? agent.setAttribute('lang', e.target.value) : agent.removeAttribute('lang')));
option('timeline').addEventListener('change', (e) => (agent.timeline = e.target.checked));
option('ptt').addEventListener('change', (e) => (agent.mode = e.target.checked ? 'push-to-talk' : 'conversation'));
option('compact').addEventListener('change', (e) => (agent.compact = e.target.checked));

// Answer tool calls from DOM events: any <hydra-voice> on the page bubbles them here.
document.addEventListener('hydra-tool-call', (event) => {
  const { name, arguments: args, respond } = event.detail;
  const handler = HANDLERS[name];
  if (!handler) return; // unanswered: the element sends an error output after its timeout
  respond(Promise.resolve().then(() => handler(args)));
});

function log(list, text, className) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toISOString().slice(11, 23)}  ${text}`;
  if (className) li.className = className;
  list.append(li);
  while (list.children.length > 400) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

for (const type of ['hydra-state', 'hydra-session', 'hydra-turn-start', 'hydra-turn-end', 'hydra-response-start', 'hydra-response-end', 'hydra-tool-call', 'hydra-error']) {
  agent.addEventListener(type, (e) => {
    const { respond, ...detail } = e.detail;
    log(events, `${type} ${JSON.stringify(detail)}`);
  });
}

agent.addEventListener('hydra-frame', (e) => {
  const { direction, frame } = e.detail;
  const audio = frame?.type === 'input_audio_buffer.append' || frame?.type === 'response.output_audio.delta';
  if (audio && !showAudio.checked) return;
  log(wire, `${direction === 'in' ? '←' : '→'} ${JSON.stringify(frame)}`, direction);
});
