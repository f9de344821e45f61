import './style.css';
import { start } from './app';

void start();
