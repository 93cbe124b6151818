import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { startLocale } from './i18n/index.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// The reader's language first (its catalogue is a chunk of its own), then the app, in it.
void startLocale().then(() => mount(App, { target }));

// Keeps the app itself for reloads on bad Wi-Fi (public/sw.js); never the checklist's data.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker not registered', error));
}
