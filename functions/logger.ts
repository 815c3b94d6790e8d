/** The one Powertools logger every function writes its structured JSON lines with. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'changeflow' });
