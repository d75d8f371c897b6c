import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { connect } from './bridge';
import { connectStores, createAppStores, StoresContext } from './stores/app-stores';
import './styles.css';

const client = connect();
const stores = createAppStores(client, { storage: window.localStorage, languages: navigator.languages });
connectStores(client, stores);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoresContext value={stores}>
      <App />
    </StoresContext>
  </StrictMode>,
);
